"""Issue 16's "done when": a real local HTTP server receives a firm's webhooks, signed the
Standard Webhooks way (checked with the standardwebhooks package), a failing endpoint is
retried with backoff and paused after a day with a notice, and nothing is lost.

Time is driven by explicit `now` arguments (the sweep's clock), never by sleeping.
"""

import datetime as dt
import itertools

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.models import Notification
from clients import deliveries
from clients.deliveries import deliveries_sweep
from clients.models import WebhookDelivery, WebhookEndpoint
from clients.outbox import event_emit
from clients.webhooks import webhook_replay, webhook_resume
from common.models import AuditAction, AuditRecord

# The sender runs inline at the commit (eager), even where CI configures a broker: the
# test's rows are not committed, so a worker could not see them.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager")]

SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def endpoint(acme, receiver):
    return WebhookEndpoint.objects.create(
        firm=acme, url=receiver.url, secret=SECRET, events=["call.answered", "call.missed"]
    )


def emit(capture, firm, event="call.answered", **data):
    with capture(execute=True):
        return event_emit(firm=firm, event=event, payload={"call_id": 7} | data)


def test_an_event_reaches_the_firm_signed_and_whole(
    acme,
    endpoint,
    receiver,
    django_capture_on_commit_callbacks,
):
    assert emit(django_capture_on_commit_callbacks, acme) == 1
    [verified] = receiver.verified(SECRET)  # raises WebhookVerificationError if forged
    assert verified["type"] == "call.answered"
    assert verified["data"] == {"call_id": 7}
    headers, _body = receiver.got[0]
    delivery = WebhookDelivery.objects.get()
    assert headers["webhook-id"] == delivery.message_id
    assert headers["content-type"] == "application/json"
    assert headers["webhook-signature"].startswith("v1,")
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    [attempt] = delivery.tries.all()
    assert (attempt.status_code, attempt.error) == (200, "")


def test_an_event_the_endpoint_did_not_choose_is_not_written(acme, endpoint, receiver):
    assert event_emit(firm=acme, event="invoice.issued", payload={}) == 0
    assert WebhookDelivery.objects.count() == 0


def _sweep_until(now: dt.datetime, delivery: WebhookDelivery) -> dt.datetime:
    """Step the clock to the delivery's next try and sweep once; the new clock."""
    delivery.refresh_from_db()
    now = max(now, delivery.next_attempt_at)
    deliveries_sweep(now=now)
    return now


def test_a_failing_endpoint_is_retried_with_backoff_then_paused_and_nothing_is_lost(
    acme,
    carol,
    endpoint,
    receiver,
    django_capture_on_commit_callbacks,
):
    receiver.status = 500
    emit(django_capture_on_commit_callbacks, acme)
    delivery = WebhookDelivery.objects.get()
    first = delivery.tries.get().at
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code) == ("pending", 500)
    assert delivery.next_attempt_at == first + dt.timedelta(seconds=30)
    endpoint.refresh_from_db()
    assert endpoint.failing_since == first

    # Not due yet: a sweep a second early sends nothing.
    deliveries_sweep(now=first + dt.timedelta(seconds=29))
    assert len(receiver.got) == 1

    now = first
    while not WebhookEndpoint.objects.get(pk=endpoint.pk).paused_at:
        now = _sweep_until(now, delivery)
        assert len(receiver.got) < 20, "never paused"
    times = list(delivery.tries.order_by("at").values_list("at", flat=True))
    gaps = [int((b - a).total_seconds()) for a, b in itertools.pairwise(times)]
    # 30 s, 2, 10, 30 min, 1, 2, 4, 8 h, then every 8 h: the 11th try is past a day.
    assert gaps == [30, 120, 600, 1800, 3600, 7200, 14400, 28800, 28800, 28800]
    assert now - first >= dt.timedelta(days=1)
    delivery.refresh_from_db()
    assert delivery.status == "pending"  # paused, not failed: it waits

    notice = Notification.objects.get(kind=Notification.Kind.WEBHOOK_PAUSED)
    assert notice.recipient == carol and endpoint.url[:40] in notice.title
    assert AuditRecord.objects.filter(action=AuditAction.WEBHOOK_PAUSED, actor=None).count() == 1

    # While paused: new events are written but nothing is sent, however late the sweep.
    for _ in range(3):
        emit(django_capture_on_commit_callbacks, acme, event="call.missed")
    tried = len(receiver.got)
    deliveries_sweep(now=now + dt.timedelta(days=2))
    assert len(receiver.got) == tried

    receiver.status = 200
    webhook_resume(firm=acme, user=carol, endpoint_id=endpoint.pk)
    receiver.got.clear()
    deliveries_sweep()
    deliveries_sweep()  # a second sweep finds nothing left to send
    pending = set(WebhookDelivery.objects.values_list("message_id", flat=True))
    assert sorted(receiver.ids()) == sorted(pending)  # each of the four exactly once
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}
    endpoint.refresh_from_db()
    assert (endpoint.paused_at, endpoint.failing_since) == (None, None)


def test_a_delivery_fails_once_its_tries_are_spent(acme, endpoint, receiver):
    receiver.status = 503
    endpoint.failing_since = None
    event_emit(firm=acme, event="call.answered", payload={})
    delivery = WebhookDelivery.objects.get()
    now = timezone.now()
    # A pause needs the endpoint's streak to be a day old; keep it fresh to see the limit.
    for _ in range(deliveries.MAX_ATTEMPTS):
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        now = _sweep_until(now, delivery)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        "failed",
        deliveries.MAX_ATTEMPTS,
        None,
    )


def test_a_replay_sends_again_with_the_same_message_id(
    acme,
    carol,
    endpoint,
    receiver,
    django_capture_on_commit_callbacks,
):
    emit(django_capture_on_commit_callbacks, acme)
    delivery = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        webhook_replay(firm=acme, user=carol, delivery_id=delivery.pk)
    assert receiver.ids() == [delivery.message_id, delivery.message_id]
    assert len(receiver.verified(SECRET)) == 2
    assert delivery.tries.count() == 2
    record = AuditRecord.objects.get(action=AuditAction.WEBHOOK_REPLAYED)
    assert record.actor == carol and SECRET not in str(record.detail)


def test_with_the_broker_down_the_event_is_kept_and_the_sweep_sends_it(
    acme,
    endpoint,
    receiver,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from clients import tasks

    def down(*args, **kwargs):
        raise OperationalError("broker unreachable")

    monkeypatch.setattr(tasks.deliveries_send_task, "delay", down)
    assert emit(django_capture_on_commit_callbacks, acme) == 1  # the caller is not broken
    assert receiver.got == []
    assert deliveries_sweep() == 1
    assert receiver.ids() == [WebhookDelivery.objects.get().message_id]


def test_the_sweep_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["clients-deliveries-sweep"]
    assert (entry["task"], entry["schedule"]) == ("clients.deliveries_sweep", 30.0)
