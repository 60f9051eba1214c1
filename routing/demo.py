"""Demo calls: five weeks of simulated calls through the real webhooks, once; then their
completed days rolled up (as the nightly sweep would), so the Calls pages read roll-ups.

Then Acme's webhook endpoint (issue 16), added after the simulated calls so they do not each
try it: its CRM took events until it moved; the address it still names does not resolve, so
the log shows deliveries delivered, then failing and retried with backoff (the beat's sweep
goes on trying them while the demo runs)."""

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from clients.deliveries import backoff
from clients.demo import HISTORY_DAYS
from clients.models import (
    ClientFirm,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from common.outbound import message_id_new, secret_new
from routing.models import Call
from routing.rollups import callday_sweep
from routing.services.firm_events import call_payload

DEMO_HOOK_URL = "https://hooks.acme-insurance.example/homeshore"
NOT_FOUND = "The host hooks.acme-insurance.example could not be found."


def seed_demo() -> list[tuple[str, str]]:
    if not Call.objects.exists():
        # Agents missed offers take themselves offline; in five weeks simulated in seconds they
        # would never be back: --back-on-duty, and the demo starts with them on duty.
        call_command("simulate_calls", calls=90, days=HISTORY_DAYS, seed=7, back_on_duty=True)
    callday_sweep()  # yesterday and every earlier day with calls but no roll-up
    _demo_webhook()
    return []


def _demo_webhook() -> None:
    firm = ClientFirm.objects.filter(name="Acme Insurance").first()
    if firm is None or WebhookEndpoint.objects.filter(firm=firm, url=DEMO_HOOK_URL).exists():
        return
    now = timezone.now()
    failing_since = now - dt.timedelta(hours=3)
    endpoint = WebhookEndpoint.objects.create(
        firm=firm,
        url=DEMO_HOOK_URL,
        secret=secret_new(),
        events=list(WebhookEvent.values),
        description="Acme's CRM (demo: its address no longer resolves)",
        created_by=firm.members.filter(role="admin").first().user,
        failing_since=failing_since,
    )
    calls = list(
        Call.objects.filter(firm=firm, status=Call.Status.COMPLETED)
        .select_related("line", "agent", "disposition")
        .order_by("-created_at")[:6]
    )
    for n, call in enumerate(reversed(calls)):
        delivered = n < len(calls) - 3  # the older ones reached the CRM before it moved
        # Hourly: the delivered ones before the streak, the failing ones from its start.
        written = failing_since + dt.timedelta(hours=n - (len(calls) - 3))
        _demo_delivery(endpoint, call, written=written, delivered=delivered, now=now)


def _demo_delivery(endpoint, call, *, written, delivered: bool, now) -> None:
    payload = {
        "type": WebhookEvent.CALL_ANSWERED.value,
        "timestamp": written.isoformat(),
        "data": call_payload(call),
    }
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=WebhookEvent.CALL_ANSWERED,
        message_id=message_id_new(),
        payload=payload,
    )
    tries, at = [], written
    while True:
        tries.append(at)
        wait = backoff(len(tries))
        if delivered or at + wait > now:
            break
        at += wait
    WebhookAttempt.objects.bulk_create(
        WebhookAttempt(
            delivery=delivery,
            at=at,
            status_code=200 if delivered else None,
            error="" if delivered else NOT_FOUND,
            elapsed_ms=180 if delivered else 3,
        )
        for at in tries
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        created_at=written,
        status=WebhookDelivery.Status.DELIVERED if delivered else WebhookDelivery.Status.PENDING,
        attempts=len(tries),
        delivered_at=tries[-1] if delivered else None,
        last_status_code=200 if delivered else None,
        last_error="" if delivered else NOT_FOUND,
        next_attempt_at=None if delivered else tries[-1] + backoff(len(tries)),
    )
