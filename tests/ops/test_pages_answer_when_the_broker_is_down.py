"""With the broker down, a page that sends a task answers at once with a clear message —
never a 500, never a wait of many seconds. The broker here is a real one on a closed port:
kombu's own connection errors, from both transports."""

import time

import pytest
from django.urls import reverse

from billing.models import SettlementRun, Transaction
from common.api import exception_handler
from common.enqueue import enqueue
from common.errors import ServiceUnavailableError
from config.celery import app, ping
from tests.billing.factories import last_week, ledger_row
from tests.factories import PhoneLineFactory
from tests.routing.conftest import api_event, api_route, provider_api, routable_agent

__all__ = ["provider_api"]  # a fixture of tests/routing, used here

REDIS_DOWN = "redis://127.0.0.1:1/0"
REDIS_OPTIONS = {"socket_timeout": 2.0, "socket_connect_timeout": 1.0}
# broker URL, its transport options, the result store (a task with a result subscribes to it
# before it is sent: with Redis as broker, results live there too).
DOWN = {
    "rabbitmq": ("amqp://guest:guest@127.0.0.1:1//", {}, None),
    "redis": (REDIS_DOWN, REDIS_OPTIONS, None),
    "redis with its results": (REDIS_DOWN, REDIS_OPTIONS, REDIS_DOWN),
}


def _forget_connections() -> None:
    # Celery keeps its connection and producer pools per app, and its result backend per
    # thread; kombu keeps pools per URL (the real broker's stay open there for later tests).
    app._pool = None
    app.amqp._producer_pool = None
    app._local.__dict__.pop("backend", None)


@pytest.fixture(params=sorted(DOWN))
def broker_down(request, settings, monkeypatch):
    """Celery as production runs it (not eager), its broker a port where nothing listens."""
    url, options, results = DOWN[request.param]
    settings.CELERY_BROKER_URL, settings.CELERY_TASK_ALWAYS_EAGER = url, False
    # Celery reads these from the environment before its own configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    monkeypatch.delenv("CELERY_RESULT_BACKEND", raising=False)
    keys = ("broker_url", "broker_transport_options", "task_always_eager", "result_backend")
    saved = {key: app.conf[key] for key in keys}
    _forget_connections()
    app.conf.update(
        broker_url=url,
        broker_transport_options=options,
        task_always_eager=False,
        result_backend=results,
    )
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
            "The run is queued, but the task queue cannot be reached just now. It is sent "
            "again automatically if it has not started within 10 minutes.",
        )
    ]
    assert run.queued_at is not None  # the sweep sends it (billing.runs.runs_sweep)


def test_the_call_api_completes_a_call_at_once_and_leaves_the_wrap_up_to_the_sweep(
    broker_down, provider_api, acme, caplog, django_capture_on_commit_callbacks
):
    # The wrap-up countdown is sent after commit (robust): the call is written, billed and
    # answered; the failed send is logged and the sweep ends the wrap-up on time anyway.
    line = PhoneLineFactory(firm=acme, wrap_up_seconds=30)
    routable_agent(acme, "sita@example.com")
    api_route(provider_api, line)
    api_event(provider_api, "EX1", "answered", attempt=1)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        ended = api_event(provider_api, "EX1", "completed", duration=95, attempt=1)
    assert time.monotonic() - started < 3
    assert ended.status_code == 200
    assert ended.json()["call"]["status"] == "completed"
    assert Transaction.objects.count() == 1
    assert any("on_commit" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")
