"""Template lines stay short enough to read and review (issue 11)."""

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LIMIT = 120


def test_no_template_line_is_longer_than_120_characters():
    too_long = [
        f"{path.relative_to(TEMPLATES)}:{number}: {len(line)} characters"
        for path in sorted(TEMPLATES.rglob("*"))
        if path.is_file()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if len(line) > LIMIT
    ]
    assert not too_long, "Wrap these template lines:\n" + "\n".join(too_long)


def test_the_check_walks_the_templates():
    assert len([path for path in TEMPLATES.rglob("*.html") if path.is_file()]) > 20
