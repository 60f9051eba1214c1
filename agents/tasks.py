from celery import shared_task

from agents.services import checks_expire


@shared_task(name="agents.checks_expire")
def checks_expire_task() -> dict[str, int]:
    """Daily (beat). Idempotent: reminders are sent once, expiries are compare-and-set."""
    return checks_expire()
