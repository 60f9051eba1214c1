"""A worker executing a run holds its lease: a second task leaves the run alone, the same task
(redelivered, retried) and anyone after the lease expired may take it."""

import datetime as dt

import pytest
from django.utils import timezone

from billing.models import Payout, SettlementRun
from billing.settlement import LeaseHeld, run_claim, run_execute, run_failed, run_open
from tests.billing.factories import last_week, ledger_row


@pytest.fixture
def run(alice, acme) -> SettlementRun:
    ledger_row(alice, acme, agent_amount="28.00", day=last_week())
    return run_open(kind="agents", day=last_week())


def test_the_claim_takes_the_lease_for_the_worker_and_task(run, settings):
    settings.SETTLEMENT_LEASE_SECONDS = 120
    before = timezone.now()
    claimed = run_claim(run_id=run.pk, holder="w1@host pid 7 task t-1", task_id="t-1")
    assert (claimed.status, claimed.attempts, claimed.task_id) == ("running", 1, "t-1")
    assert claimed.lease_holder == "w1@host pid 7 task t-1"
    lease = claimed.lease_expires_at - before
    assert dt.timedelta(seconds=119) < lease < dt.timedelta(seconds=125)


def test_a_second_task_is_refused_while_the_lease_is_live(run):
    run_claim(run_id=run.pk, holder="w1", task_id="t-1")
    with pytest.raises(LeaseHeld, match="w1 holds this run's lease until"):
        run_claim(run_id=run.pk, holder="w2", task_id="t-2")
    stored = SettlementRun.objects.get(pk=run.pk)
    assert (stored.lease_holder, stored.task_id, stored.attempts) == ("w1", "t-1", 1)


def test_the_same_task_redelivered_takes_its_lease_again(run):
    run_claim(run_id=run.pk, holder="w1", task_id="t-1")
    again = run_claim(run_id=run.pk, holder="w2", task_id="t-1")  # its first worker died
    assert (again.lease_holder, again.attempts) == ("w2", 2)


def test_an_expired_lease_is_taken_over(run):
    run_claim(run_id=run.pk, holder="w1", task_id="t-1")
    SettlementRun.objects.filter(pk=run.pk).update(
        lease_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    taken = run_claim(run_id=run.pk, holder="w2", task_id="t-2")
    assert (taken.lease_holder, taken.task_id, taken.attempts) == ("w2", "t-2", 2)


def test_a_done_run_releases_its_lease_and_a_later_claim_changes_nothing(run):
    run_claim(run_id=run.pk, holder="w1", task_id="t-1")
    done = run_execute(run_id=run.pk)
    assert (done.status, done.lease_expires_at, done.lease_holder) == ("done", None, "w1")
    again = run_claim(run_id=run.pk, holder="w2", task_id="t-2")
    assert (again.status, again.attempts, again.lease_holder) == ("done", 1, "w1")
    assert run_execute(run_id=run.pk).total == done.total
    assert Payout.objects.count() == 1  # executed twice, paid once


def test_a_task_that_lost_the_run_cannot_fail_it_for_its_successor(run):
    run_claim(run_id=run.pk, holder="w2", task_id="t-2")  # the sweep's new task holds it
    assert not run_failed(run_id=run.pk, reason="the old task gave up", task_id="t-1")
    assert SettlementRun.objects.get(pk=run.pk).status == "running"
    assert run_failed(run_id=run.pk, reason="its own error", task_id="t-2")
    assert SettlementRun.objects.get(pk=run.pk).failure_reason == "its own error"
