"""With DJANGO_DEBUG=false, `collectstatic` builds whitenoise's manifest and pages are drawn
from it: a vendored file naming a source map we do not ship once failed `collectstatic`, and
without a manifest every page was a 500."""

from pathlib import Path

import pytest
from django.test import Client, override_settings

from tests.ops.fresh_process import run_python

COLLECT = (
    "import django\n"
    "django.setup()\n"
    "from django.conf import settings\n"
    "from django.core.management import call_command\n"
    "call_command('collectstatic', interactive=False, verbosity=0)\n"
    "print(settings.STORAGES['staticfiles']['BACKEND'])\n"
)


def _collect_as_production(static_root: Path) -> str:
    """Runs `collectstatic` with the production settings; returns their storage backend."""
    result = run_python(
        COLLECT,
        cleared=("DJANGO_",),
        timeout=180,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="collectstatic-test-key-" + "x" * 40,
        DJANGO_STATIC_ROOT=str(static_root),
    )
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> tuple[Path, str]:
    static_root = tmp_path_factory.mktemp("staticfiles")
    return static_root, _collect_as_production(static_root)


def test_collectstatic_succeeds_with_the_production_storage(collected):
    static_root, backend = collected
    assert backend == "config.storage.StaticFilesStorage"
    assert (static_root / "staticfiles.json").is_file()
    # The vendored file is hashed and compressed like every other.
    assert list(static_root.glob("vendor/chartjs/chart.umd.min.*.js.gz"))


def test_a_page_with_a_chart_renders_from_the_manifest_with_debug_off(collected, carol, settings):
    static_root, backend = collected
    assert settings.DEBUG is False
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": backend}}
    with override_settings(STATIC_ROOT=static_root, STORAGES=storages):
        client = Client()  # whitenoise reads STATIC_ROOT when its middleware starts
        client.force_login(carol)
        page = client.get("/client/calls/")
        assert page.status_code == 200
        [chart] = [p for p in static_root.glob("vendor/chartjs/chart.umd.min.*.js")]
        assert f"/static/vendor/chartjs/{chart.name}" in page.content.decode()
        served = client.get(f"/static/vendor/chartjs/{chart.name}")
        assert served.status_code == 200
        assert served.headers["Cache-Control"].startswith("max-age=315360000")
