"""The Celery app as the suite's real worker (`celery_worker` in conftest.py) runs it.

`transaction=True` tests flush the database between them, and the content types come back
with new ids. The test process clears ContentType's cache when it recreates them; the worker
is another process and would keep the old ids (an audit record's object then points at a
content type that no longer exists). So it forgets them before each task. Production never
renumbers content types: this is the test harness's concern, not the app's.
"""

from celery.signals import task_prerun

from config.celery import app

__all__ = ["app"]


@task_prerun.connect
def _forget_content_types(**kwargs) -> None:
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
