"""With the production settings every plain-http request is redirected to https — except
/healthz, which load balancers and the smoke run ask gunicorn directly."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ASK = (
    "import json, django\n"
    "django.setup()\n"
    "from django.test import Client\n"
    "client = Client()\n"
    "print(json.dumps({path: client.get(path).status_code for path in ('/healthz', '/')}))\n"
)


def test_healthz_answers_over_http_where_pages_redirect(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="redirect-test-" + "k" * 50,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "-c", ASK], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"/healthz": 200, "/": 301}
