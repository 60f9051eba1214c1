"""Every vendored file under static/vendor/ is in its manifest, with its hash (issue 11).

A changed, added or removed third-party file fails here until static/vendor/MANIFEST.json says
where it came from: name, version, npm source, licence and SHA-256.
"""

import hashlib
import json
from pathlib import Path

import pytest

VENDOR = Path(__file__).resolve().parent.parent / "static" / "vendor"
MANIFEST = VENDOR / "MANIFEST.json"
FIELDS = {"path", "name", "version", "source", "licence", "sha256"}


def entries():
    return json.loads(MANIFEST.read_text(encoding="utf-8"))["files"]


def vendored_files():
    files = [path for path in VENDOR.rglob("*") if path.is_file() and path != MANIFEST]
    return sorted(path.relative_to(VENDOR).as_posix() for path in files)


def test_every_entry_says_what_where_from_and_under_which_licence():
    for entry in entries():
        assert set(entry) == FIELDS, entry.get("path")
        for field in FIELDS:
            assert isinstance(entry[field], str) and entry[field].strip(), (entry["path"], field)
        assert f"@{entry['version']} " in entry["source"], entry["path"]


def test_each_file_is_listed_once():
    paths = [entry["path"] for entry in entries()]
    assert len(paths) == len(set(paths))


def test_every_vendored_file_is_listed():
    listed = {entry["path"] for entry in entries()}
    assert vendored_files(), "nothing found under static/vendor/"
    assert [path for path in vendored_files() if path not in listed] == []


def test_every_listed_file_exists():
    assert [entry["path"] for entry in entries() if not (VENDOR / entry["path"]).is_file()] == []


@pytest.mark.parametrize("entry", entries(), ids=lambda entry: entry["path"])
def test_the_file_has_the_listed_sha256(entry):
    path = VENDOR / entry["path"]
    assert path.is_file(), entry["path"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], entry["path"]
