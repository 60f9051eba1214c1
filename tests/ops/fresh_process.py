"""Settings read at start-up are tested in a fresh Python process: config.settings runs once
per process, so the environment a test wants must be there before Django starts."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_python(
    code: str, *, cleared: tuple[str, ...], timeout: float = 60, **env: str
) -> subprocess.CompletedProcess:
    """Run `code` under config.settings, with the variables starting with `cleared` dropped
    from this process's environment and `env` added."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(cleared)}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def printed_json(code: str, *, cleared: tuple[str, ...], **env: str) -> dict:
    """The JSON object `code` prints last."""
    return json.loads(run_python(code, cleared=cleared, **env).stdout.strip().splitlines()[-1])
