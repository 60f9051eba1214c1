"""Sweeps running at once on real PostgreSQL row locks (select_for_update skip_locked): each
try of a delivery is sent by one worker only — the firm never gets one try twice."""

import collections
import threading

import pytest
from django.db import connection

from clients import outbox
from clients.deliveries import deliveries_sweep
from clients.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SWEEPS = 4
EVENTS = 40


def test_concurrent_sweeps_never_send_a_try_twice(acme, receiver, monkeypatch):
    monkeypatch.setattr(outbox, "deliveries_enqueue", lambda ids: None)  # the sweeps send
    WebhookEndpoint.objects.create(
        firm=acme, url=receiver.url, secret="whsec_c2VjcmV0c2VjcmV0c2VjcmV0", events=["call.missed"]
    )
    for n in range(EVENTS):
        outbox.event_emit(firm=acme, event="call.missed", payload={"call_id": n})
    receiver.delay = 0.01
    barrier = threading.Barrier(SWEEPS)
    sent: list[int] = []

    def sweep() -> None:
        try:
            barrier.wait(timeout=10)
            sent.append(deliveries_sweep())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(SWEEPS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    counts = collections.Counter(receiver.ids())
    assert len(counts) == EVENTS and set(counts.values()) == {1}, counts.most_common(3)
    assert sum(sent) == EVENTS
    assert sum(1 for n in sent if n) > 1, "one sweep took everything: no race was run"
    assert set(WebhookDelivery.objects.values_list("status", "attempts")) == {("delivered", 1)}
    assert WebhookAttempt.objects.count() == EVENTS
