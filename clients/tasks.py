from celery import shared_task

from clients.marketplace import engagements_expire


@shared_task(name="clients.engagements_expire")
def engagements_expire_task() -> int:
    """Daily (beat): end engagements past their end date. Idempotent (filters on active)."""
    return engagements_expire()
