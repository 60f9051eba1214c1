"""The sweep (beat, every minute) sends lost runs again: an expired lease (the worker died) or a
queued run whose task never started (the broker lost it); after a bound, the run fails.

Celery runs eagerly here: a run the sweep sends again is executed inline, so "sent again"
shows as done, with the sweep's count on the row."""

import datetime as dt

import pytest
from django.utils import timezone

from billing.models import Payout, SettlementRun
from billing.runs import runs_sweep
from billing.settlement import run_claim, run_execute, run_open
from common.models import AuditRecord
from tests.billing.factories import last_week, ledger_row

AGO = dt.timedelta(minutes=30)

pytestmark = pytest.mark.usefixtures("eager")  # a run sent again is executed inline


@pytest.fixture
def run(alice, acme) -> SettlementRun:
    ledger_row(alice, acme, agent_amount="28.00", day=last_week())
    return run_open(kind="agents", day=last_week())


def stored(run: SettlementRun) -> SettlementRun:
    return SettlementRun.objects.get(pk=run.pk)


def test_a_run_whose_lease_expired_is_sent_again_and_finished(run):
    run_claim(run_id=run.pk, holder="killed@host pid 9 task t-1", task_id="t-1")
    SettlementRun.objects.filter(pk=run.pk).update(lease_expires_at=timezone.now() - AGO)
    assert runs_sweep() == {"requeued": [run.pk], "failed": []}
    done = stored(run)
    assert (done.status, done.requeues, done.attempts) == ("done", 1, 2)
    assert done.task_id not in ("", "t-1")  # a new task, not the lost one
    assert Payout.objects.get().gross == 28


def test_a_queued_run_whose_task_never_started_is_sent_again(run):
    SettlementRun.objects.filter(pk=run.pk).update(task_id="lost", queued_at=timezone.now() - AGO)
    assert runs_sweep()["requeued"] == [run.pk]
    assert (stored(run).status, stored(run).requeues) == ("done", 1)


def test_a_run_in_hand_is_left_alone(run, settings):
    settings.SETTLEMENT_START_WITHIN_SECONDS = 600
    SettlementRun.objects.filter(pk=run.pk).update(task_id="t-0", queued_at=timezone.now())
    assert runs_sweep() == {"requeued": [], "failed": []}  # queued a moment ago
    run_claim(run_id=run.pk, holder="alive", task_id="t-0")
    assert runs_sweep() == {"requeued": [], "failed": []}  # its lease is live
    assert (stored(run).status, stored(run).lease_holder) == ("running", "alive")


def test_a_run_sent_again_too_often_fails_with_the_reason(run, settings):
    settings.SETTLEMENT_MAX_REQUEUES = 5
    run_claim(run_id=run.pk, holder="w5", task_id="t-5")
    SettlementRun.objects.filter(pk=run.pk).update(
        lease_expires_at=timezone.now() - AGO, requeues=5
    )
    assert runs_sweep() == {"requeued": [], "failed": [run.pk]}
    failed = stored(run)
    assert failed.status == "failed" and failed.lease_expires_at is None
    assert failed.failure_reason.startswith("Sent again 5 times, never finished: the lease of w5")
    record = AuditRecord.objects.about(run).get(action="run_failed")
    assert record.actor is None and record.reason == failed.failure_reason
    assert not Payout.objects.exists()
    assert runs_sweep() == {"requeued": [], "failed": []}  # failed runs wait for finance


def test_done_runs_are_never_swept(run):
    run_claim(run_id=run.pk, task_id="t-1")
    run_execute(run_id=run.pk)
    SettlementRun.objects.filter(pk=run.pk).update(queued_at=timezone.now() - AGO)
    assert runs_sweep() == {"requeued": [], "failed": []}
    assert stored(run).status == "done"


def test_beat_sends_the_sweep_every_minute(settings):
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["billing-settlements-sweep"]
    assert entry == {"task": "billing.settlements_sweep", "schedule": 60.0}
    assert entry["task"] in app.tasks
