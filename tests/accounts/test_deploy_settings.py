"""Production settings: run `check --deploy` in a fresh process with DJANGO_DEBUG=false."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET = "k3J8!vQ2#pR7$wX9@mN4^tY6&zB1*cD5(eF0)gH8-iJ2+lK7=oP3~qS6"


def _check_deploy(**env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(
        DJANGO_DEBUG="false",
        DJANGO_ALLOWED_HOSTS="portal.homeshore.example",
        PORTAL_URL="https://portal.homeshore.example",
    )
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    result = _check_deploy(DJANGO_SECRET_KEY=SECRET)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_production_has_no_default_secret_key():
    result = _check_deploy()
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_warns_of_a_portal_url_left_at_localhost():
    """Campaign mail's unsubscribe links are built on PORTAL_URL (mailroom.W001)."""
    result = _check_deploy(DJANGO_SECRET_KEY=SECRET, PORTAL_URL="http://localhost:8000")
    assert result.returncode != 0
    assert "mailroom.W001" in result.stderr + result.stdout
