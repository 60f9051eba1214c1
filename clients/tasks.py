from celery import shared_task

from clients.deliveries import deliveries_send, deliveries_sweep
from clients.marketplace import engagements_expire


@shared_task(name="clients.engagements_expire")
def engagements_expire_task() -> int:
    """Daily (beat): end engagements past their end date. Idempotent (filters on active)."""
    return engagements_expire()


@shared_task(name="clients.deliveries_send")
def deliveries_send_task(ids: list[int]) -> int:
    """Send the deliveries event_emit just wrote. Safe twice: only due ones are claimed."""
    return deliveries_send(ids=ids)


@shared_task(name="clients.deliveries_sweep")
def deliveries_sweep_task() -> int:
    """Every 30 s (beat): send what is due — retries, and what a lost message left."""
    return deliveries_sweep()
