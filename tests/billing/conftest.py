"""Billing's own fixtures."""

import pytest


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Export files (billing.export_jobs) go to private storage: a folder of the test's."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
