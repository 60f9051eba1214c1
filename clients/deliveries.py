"""Sending the outbox (`clients.outbox`) to firms' webhook endpoints.

A try is three steps, so no lock is held while we wait on a firm's server:

1. **Claim** (`deliveries_claim`): in a short transaction, lock a few due deliveries
   (`select_for_update(skip_locked=True)`: a second worker skips the rows the first holds),
   count the try and move `next_attempt_at` past the time the sends may take (the lease).
   Once that commits, another sweep no longer sees them as due: two workers never send the
   same try, and a worker that dies mid-send leaves them due again when the lease runs out.
2. **Send**: `common.outbound.signed_post`, outside any transaction.
3. **Record** (`delivery_record`): the attempt, and the delivery's next state — delivered on a
   2xx, else the next try after the backoff (`BACKOFF_SECONDS`), or failed once the schedule
   is spent (16 tries over about three days). The endpoint's health follows: the first
   failure of a streak sets `failing_since`, a success clears it, and an endpoint failing
   for `WEBHOOK_PAUSE_AFTER_SECONDS` is paused, its firm told. A paused endpoint's deliveries
   are not sent and do not use up tries: they wait until the firm resumes it.

`deliveries_send` (the task event_emit enqueues on commit) and `deliveries_sweep` (beat,
every 30 s: what a lost message, a broker outage or a backoff left due) both go through it.
"""

import datetime as dt
import logging
import time

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from clients import notices
from clients.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from common.audit import audit_log
from common.models import AuditAction
from common.outbound import Answer, signed_post

logger = logging.getLogger(__name__)

Status = WebhookDelivery.Status

# Waits after the 1st, 2nd… failed try; the last repeats until MAX_ATTEMPTS (about 3 days).
BACKOFF_SECONDS = (30, 120, 600, 1800, 3600, 7200, 14400, 28800)
MAX_ATTEMPTS = 16
BATCH = 10  # deliveries claimed at once: a batch's sends must finish within its lease
SWEEP_BUDGET_SECONDS = 25.0  # a sweep stops claiming before the next one is due (30 s)


def backoff(tries: int) -> dt.timedelta:
    """The wait after the `tries`-th failed try (1-based)."""
    return dt.timedelta(seconds=BACKOFF_SECONDS[min(tries, len(BACKOFF_SECONDS)) - 1])


def _lease(count: int) -> dt.timedelta:
    # Sent one after the other, each bounded by the timeout (plus connecting): a claim must
    # outlast the whole batch, or a second sweep would take a delivery still being sent.
    return dt.timedelta(seconds=count * (settings.WEBHOOK_TIMEOUT_SECONDS + 2) + 30)


def _due(now: dt.datetime) -> Q:
    return Q(
        status=Status.PENDING,
        next_attempt_at__lte=now,
        endpoint__is_active=True,
        endpoint__paused_at__isnull=True,
    )


@transaction.atomic
def deliveries_claim(
    *, now: dt.datetime, ids: list[int] | None = None, limit: int = BATCH
) -> list[tuple[int, int]]:
    """Claim up to `limit` due deliveries (of `ids`, if given): (id, try number) each."""
    due = WebhookDelivery.objects.filter(_due(now))
    if ids is not None:
        due = due.filter(pk__in=ids)
    rows = list(
        due.select_for_update(skip_locked=True, of=("self",))
        .order_by("next_attempt_at", "id")
        .values_list("pk", "attempts")[:limit]
    )
    if not rows:
        return []
    WebhookDelivery.objects.filter(pk__in=[pk for pk, _ in rows]).update(
        attempts=F("attempts") + 1, next_attempt_at=now + _lease(len(rows))
    )
    return [(pk, attempts + 1) for pk, attempts in rows]


def delivery_send(*, delivery_id: int, attempt: int, now: dt.datetime | None = None) -> str:
    """Send one claimed try and record it; returns the delivery's status after it."""
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        return "gone"  # the firm removed the endpoint since the claim
    endpoint = delivery.endpoint
    answer = signed_post(
        endpoint.url,
        secret=endpoint.secret,
        payload=delivery.payload,
        message_id=delivery.message_id,
        timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
    )
    return delivery_record(delivery_id=delivery_id, attempt=attempt, answer=answer, now=now)


@transaction.atomic
def delivery_record(
    *, delivery_id: int, attempt: int, answer: Answer, now: dt.datetime | None = None
) -> str:
    now = now or timezone.now()
    # Lock, then re-read: the firm may have replayed or the endpoint been deleted meanwhile.
    delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_id).first()
    if delivery is None:
        return "gone"
    WebhookAttempt.objects.create(
        delivery=delivery,
        at=now,
        status_code=answer.status_code,
        error=answer.error[:300],
        elapsed_ms=answer.elapsed_ms,
    )
    if delivery.status != Status.PENDING or delivery.attempts != attempt:
        return delivery.status  # a replay started a new round: this try no longer decides
    delivery.last_status_code, delivery.last_error = answer.status_code, answer.error[:300]
    if answer.ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
            Status.DELIVERED,
            now,
            None,
        )
    elif attempt >= MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = Status.FAILED, None
    else:
        delivery.next_attempt_at = now + backoff(attempt)
    delivery.save(
        update_fields=[
            "status",
            "delivered_at",
            "next_attempt_at",
            "last_status_code",
            "last_error",
        ]
    )
    _endpoint_health(endpoint_id=delivery.endpoint_id, ok=answer.ok, now=now)
    return delivery.status


def _endpoint_health(*, endpoint_id: int, ok: bool, now: dt.datetime) -> None:
    endpoints = WebhookEndpoint.objects.filter(pk=endpoint_id)
    if ok:
        endpoints.filter(failing_since__isnull=False).update(failing_since=None)
        return
    endpoints.filter(failing_since__isnull=True).update(failing_since=now)
    pause_after = dt.timedelta(seconds=settings.WEBHOOK_PAUSE_AFTER_SECONDS)
    # Compare-and-set: of two workers failing at once, one pauses (and tells the firm).
    paused = endpoints.filter(paused_at__isnull=True, failing_since__lte=now - pause_after).update(
        paused_at=now
    )
    if paused:
        endpoint = WebhookEndpoint.objects.select_related("firm").get(pk=endpoint_id)
        audit_log(  # the firm as target, as for the firm's own changes (clients.webhooks)
            actor=None,
            action=AuditAction.WEBHOOK_PAUSED,
            target=endpoint.firm,
            endpoint=endpoint.pk,
            url=endpoint.url,
            failing_since=endpoint.failing_since.isoformat(),
        )
        notices.webhook_paused(endpoint=endpoint)


def _send_claimed(claimed: list[tuple[int, int]], now: dt.datetime | None) -> int:
    for delivery_id, attempt in claimed:
        delivery_send(delivery_id=delivery_id, attempt=attempt, now=now)
    return len(claimed)


def deliveries_send(*, ids: list[int], now: dt.datetime | None = None) -> int:
    """Send those of `ids` that are due (just written by event_emit, usually). Returns how
    many tries were made."""
    sent = 0
    ids = list(ids)
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        sent += _send_claimed(deliveries_claim(now=now or timezone.now(), ids=batch), now)
    return sent


def deliveries_sweep(
    *, now: dt.datetime | None = None, budget: float = SWEEP_BUDGET_SECONDS
) -> int:
    """Send what is due, batch by batch, until nothing is or the time budget is spent (the
    next sweep goes on). `now` fixes the clock (tests drive the backoff with it)."""
    started, sent = time.monotonic(), 0
    while time.monotonic() - started < budget:
        claimed = deliveries_claim(now=now or timezone.now())
        if not claimed:
            break
        sent += _send_claimed(claimed, now)
    return sent


def deliveries_enqueue(ids: list[int]) -> None:
    """After commit, hand the new deliveries to a worker. robust: a broker that is down must
    not break the caller's request (the fact and its deliveries are committed already); the
    sweep sends them within 30 s of the broker's return."""
    if not ids:
        return
    from clients.tasks import deliveries_send_task

    transaction.on_commit(lambda: deliveries_send_task.delay(ids), robust=True)
