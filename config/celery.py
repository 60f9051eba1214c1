"""The Celery app, wired the standard way: settings under the CELERY_ namespace."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("homeshore")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="homeshore.ping")
def ping() -> str:
    """A trivial task: proves that a worker consumes from the broker and answers."""
    return "pong"
