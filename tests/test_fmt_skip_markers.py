"""`# fmt: skip` is for the rare line ruff's formatting makes worse, and says why.

The marker then reads `# <why> # fmt: skip` (ruff honours it after another comment), so a
reader knows what the hand layout protects, and a bare marker fails here.
"""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"#\s*fmt:\s*skip")
WITH_REASON = re.compile(r"#\s*\S.*#\s*fmt:\s*skip\s*$")


def python_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [ROOT / name for name in listed if (ROOT / name).exists()]


def test_every_fmt_skip_marker_gives_its_reason():
    bare = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in python_files()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if MARKER.search(line) and not WITH_REASON.search(line) and path != Path(__file__).resolve()
    ]
    assert bare == [], "bare `# fmt: skip` markers (add `# <why> # fmt: skip`): " + ", ".join(bare)
