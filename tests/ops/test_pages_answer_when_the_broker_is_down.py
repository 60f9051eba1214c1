"""With the broker down, a page that sends a task answers at once with a clear message —
never a 500, never a wait of many seconds. The broker here is a real one on a closed port:
kombu's own connection errors, from both transports."""

import time

import pytest
from django.urls import reverse

from billing.models import SettlementRun
from common.api import exception_handler
from common.enqueue import enqueue
from common.errors import ServiceUnavailableError
from config.celery import app, ping
from tests.billing.factories import last_week, ledger_row

DOWN = {
    "rabbitmq": ("amqp://guest:guest@127.0.0.1:1//", {}),
    "redis": ("redis://127.0.0.1:1/0", {"socket_timeout": 2.0, "socket_connect_timeout": 1.0}),
}


def _forget_connections() -> None:
    # Celery keeps its connection and producer pools per app; kombu keeps them per URL (the
    # real broker's stay open there for the tests after this one).
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture(params=sorted(DOWN))
def broker_down(request):
    """Celery as production runs it (not eager), its broker a port where nothing listens."""
    url, options = DOWN[request.param]
    keys = ("broker_url", "broker_transport_options", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}
    _forget_connections()
    app.conf.update(broker_url=url, broker_transport_options=options, task_always_eager=False)
    yield url
    _forget_connections()
    app.conf.update(saved)


def test_enqueue_gives_up_within_seconds_with_a_clear_error(broker_down):
    started = time.monotonic()
    with pytest.raises(ServiceUnavailableError) as raised:
        enqueue(ping)
    assert time.monotonic() - started < 3
    assert raised.value.status_code == 503
    assert "task queue is unavailable" in raised.value.message


def test_the_api_answers_503_with_the_message():
    response = exception_handler(ServiceUnavailableError("The task queue is unavailable."), {})
    assert response.status_code == 503
    assert response.data == {"message": "The task queue is unavailable.", "extra": {}}


def test_starting_a_settlement_run_says_the_queue_is_down_and_keeps_the_run(
    broker_down, client, fiona, alice, acme
):
    ledger_row(alice, acme, agent_amount="28.00", client_amount="40.00", day=last_week())
    client.force_login(fiona)
    started = time.monotonic()
    response = client.post(
        reverse("finance:home"), {"kind": "agents", "day": last_week()}, follow=True
    )
    assert time.monotonic() - started < 3
    assert response.status_code == 200
    run = SettlementRun.objects.get()
    assert response.redirect_chain[-1][0] == reverse("finance:run", args=[run.pk])
    assert run.status == SettlementRun.Status.PENDING
    messages = [(m.level_tag, m.message) for m in response.context["messages"]]
    assert messages == [
        (
            "warning",
            "The task queue is unavailable, so the run has not started. It is saved as "
            "pending: start it again in a minute.",
        )
    ]
