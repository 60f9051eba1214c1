"""Billing's own fixtures."""

import pytest


@pytest.fixture
def eager():
    """Celery runs tasks inline for the test, even where a broker is configured: the test's
    data is not committed, so a worker could not see it (the worker tests cover workers)."""
    from config.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Export files (billing.export_jobs) go to private storage: a folder of the test's."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
