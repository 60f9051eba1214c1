"""Transient database errors retry over minutes (30 s, 1, 2, 4, 8 min, then every 10, +-20%),
then the run fails with the reason; any other error fails it at once, with the reason.

The database error is injected into the run's execution (`faulty`): a real outage is the
PostgreSQL worker test's (test_settlement_survives_its_infrastructure.py). Celery runs
eagerly here, and an eager retry runs at once (the countdown is Celery's to honour)."""

import random

import pytest
from django.db import IntegrityError, OperationalError

from billing import settlement
from billing.models import Payout, SettlementRun
from billing.settlement import run_open
from billing.tasks import retry_delay, settlement_execute_task
from tests.billing.factories import last_week, ledger_row

pytestmark = pytest.mark.usefixtures("eager")  # a run sent again is executed inline


@pytest.fixture
def run(alice, acme) -> SettlementRun:
    ledger_row(alice, acme, agent_amount="28.00", day=last_week())
    return run_open(kind="agents", day=last_week())


@pytest.fixture
def faulty(monkeypatch):
    """Make the first `n` executions raise `error`; records the run row each execution saw."""
    seen: list[SettlementRun] = []
    execute = settlement.run_execute

    def arm(error: Exception, n: int) -> list[SettlementRun]:
        def failing(*, run_id, report=None):
            seen.append(SettlementRun.objects.get(pk=run_id))
            if len(seen) <= n:
                raise error
            return execute(run_id=run_id, report=report)

        monkeypatch.setattr(settlement, "run_execute", failing)
        return seen

    return arm


def test_the_backoff_doubles_from_thirty_seconds_to_a_ten_minute_cap(settings):
    settings.SETTLEMENT_RETRY_JITTER = 0
    assert [retry_delay(n) for n in range(7)] == [30, 60, 120, 240, 480, 600, 600]
    assert sum(retry_delay(n) for n in range(settings.SETTLEMENT_RETRY_MAX)) > 30 * 60


def test_the_backoff_is_jittered_within_twenty_percent(settings):
    settings.SETTLEMENT_RETRY_JITTER = 0.2
    delays = [retry_delay(3, rng=random.Random(seed)) for seed in range(200)]
    assert all(192 <= d <= 288 for d in delays)
    assert len({round(d) for d in delays}) > 20  # spread, not one value


def test_a_transient_error_is_retried_and_the_run_finishes(run, faulty, settings):
    settings.SETTLEMENT_RETRY_MAX = 7
    seen = faulty(OperationalError("server closed the connection unexpectedly"), 2)
    outcome = settlement_execute_task.apply(args=[run.pk]).get()
    assert outcome["total"] == "28.00"
    stored = SettlementRun.objects.get(pk=run.pk)
    assert (stored.status, stored.attempts, stored.failure_reason) == ("done", 3, "")
    # While it waited, the page said why, and the lease covered the wait.
    assert seen[1].step.startswith("Database error; retry 1 of 7 at ")
    assert seen[2].step.startswith("Database error; retry 2 of 7 at ")
    assert Payout.objects.get().gross == 28


def test_a_database_away_past_the_last_retry_fails_the_run_with_the_reason(run, faulty, settings):
    settings.SETTLEMENT_RETRY_MAX = 3
    seen = faulty(OperationalError("could not connect to server: Connection refused"), 99)
    outcome = settlement_execute_task.apply(args=[run.pk]).get()
    assert len(seen) == 4  # the first try and three retries
    stored = SettlementRun.objects.get(pk=run.pk)
    assert stored.status == "failed" and stored.lease_expires_at is None
    assert (
        stored.failure_reason
        == outcome["failed"]
        == (
            "The database failed 4 times in a row; gave up. "
            "OperationalError: could not connect to server: Connection refused"
        )
    )
    assert not Payout.objects.exists()


def test_any_other_error_fails_the_run_at_once_with_the_reason(run, faulty):
    seen = faulty(IntegrityError("duplicate key value violates unique constraint"), 99)
    settlement_execute_task.apply(args=[run.pk])
    stored = SettlementRun.objects.get(pk=run.pk)
    assert len(seen) == 1 and stored.attempts == 1
    assert (stored.status, stored.failure_reason) == (
        "failed",
        "IntegrityError: duplicate key value violates unique constraint",
    )
