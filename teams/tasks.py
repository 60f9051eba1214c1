from celery import shared_task
from django.conf import settings

from teams import booking, slots


@shared_task(name="teams.slots_open_ahead")
def slots_open_ahead_task() -> int:
    """Open this week's and the next weeks' slots of every open request (idempotent)."""
    return slots.slots_open_ahead(weeks=settings.TEAMS_WEEKS_AHEAD)


@shared_task(name="teams.no_shows_notify")
def no_shows_notify_task() -> int:
    """Tell leads of their agents' no-shows (each once: the notification's key)."""
    return booking.no_shows_notify()
