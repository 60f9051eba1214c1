"""Events out to a firm's webhook endpoints: the outbox.

`event_emit` writes one `WebhookDelivery` per active endpoint of the firm that chose the
event, in the caller's transaction: the event commits with the fact it tells (a call ended, an
invoice issued) or not at all, and nothing depends on a message reaching the broker — the
sender (`clients.deliveries`) takes what is due, and its sweep finds what a lost message left.
"""

from collections.abc import Callable

from django.utils import timezone

from clients.deliveries import deliveries_enqueue
from clients.models import ClientFirm, WebhookDelivery, WebhookEndpoint, WebhookEvent
from common.outbound import message_id_new


def event_emit(
    *, firm: ClientFirm | int, event: WebhookEvent | str, payload: dict | Callable[[], dict]
) -> int:
    """One delivery per endpoint of `firm` subscribed to `event` (paused ones too: they wait
    for the firm to resume them). `payload` may be a function, called only when some
    endpoint wants the event: most firms have none, and a call's hot path pays one query.
    Returns how many were written; they are handed to a worker once the caller's transaction
    commits (and swept within 30 s if that hand-off fails)."""
    firm_id = firm if isinstance(firm, int) else firm.pk
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(firm_id=firm_id, is_active=True)
        if str(event) in e.events
    ]
    if not endpoints:
        return 0
    now = timezone.now()
    if callable(payload):
        payload = payload()
    rows = [
        WebhookDelivery(
            endpoint=endpoint,
            event=str(event),
            message_id=message_id_new(),
            payload={"type": str(event), "timestamp": now.isoformat(), "data": payload},
            next_attempt_at=now,
        )
        for endpoint in endpoints
    ]
    WebhookDelivery.objects.bulk_create(rows)
    deliveries_enqueue([row.pk for row in rows if not row.endpoint.paused_at])
    return len(rows)
