"""Finance restarts a failed run, or one whose lease expired, from the run page; a run a
worker holds is refused with a message, never a 500; each restart is audited. Finance and
administrators only. (Celery is eager here: a restarted run is executed inline.)"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import Payout, SettlementRun
from billing.runs import restart_refusal, run_restart
from billing.settlement import run_claim, run_failed, run_open
from common.errors import ConflictError
from common.models import AuditRecord
from tests.billing.factories import last_week, ledger_row

pytestmark = pytest.mark.usefixtures("eager")  # a run sent again is executed inline


@pytest.fixture
def run(alice, acme) -> SettlementRun:
    ledger_row(alice, acme, agent_amount="28.00", day=last_week())
    return run_open(kind="agents", day=last_week())


@pytest.fixture
def failed(run) -> SettlementRun:
    run_claim(run_id=run.pk, holder="w1", task_id="t-1")
    run_failed(run_id=run.pk, reason="OperationalError: the database system is shutting down")
    return SettlementRun.objects.get(pk=run.pk)


def restart(client, run: SettlementRun):
    return client.post(reverse("finance:run_restart", args=[run.pk]), follow=True)


@pytest.mark.parametrize("persona", ["fiona", "root"])
def test_finance_restarts_a_failed_run_and_it_is_audited(client, request, persona, failed):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    page = restart(client, failed).content.decode()
    assert "The run is queued again" in page
    done = SettlementRun.objects.get(pk=failed.pk)
    assert (done.status, done.attempts, done.failure_reason) == ("done", 2, "")
    assert Payout.objects.get().gross == 28  # paid once
    record = AuditRecord.objects.about(failed).get(action="run_restarted")
    assert (record.actor, record.before, record.after) == (
        user,
        {"status": "failed", "attempts": 1},
        {"status": "pending"},
    )
    assert record.reason == "OperationalError: the database system is shutting down"


def test_a_run_whose_lease_expired_can_be_restarted(client, fiona, run):
    run_claim(run_id=run.pk, holder="killed@host pid 9", task_id="t-1")
    SettlementRun.objects.filter(pk=run.pk).update(
        lease_expires_at=timezone.now() - dt.timedelta(seconds=5)
    )
    client.force_login(fiona)
    assert "Restart" in client.get(reverse("finance:run", args=[run.pk])).content.decode()
    restart(client, run)
    assert SettlementRun.objects.get(pk=run.pk).status == "done"
    record = AuditRecord.objects.about(run).get(action="run_restarted")
    assert record.reason.startswith("the lease of killed@host pid 9 expired at")


def test_a_run_a_worker_holds_is_refused_with_a_message(client, fiona, run):
    run_claim(run_id=run.pk, holder="busy@host pid 3 task t-1", task_id="t-1")
    client.force_login(fiona)
    response = restart(client, run)
    assert response.status_code == 200  # redirected back to the run page, not a 500
    page = response.content.decode()
    assert "This run is running on busy@host pid 3 task t-1 (attempt 1" in page
    assert "cannot be restarted while a worker holds it" in page
    stored = SettlementRun.objects.get(pk=run.pk)
    assert (stored.status, stored.task_id, stored.attempts) == ("running", "t-1", 1)
    assert not AuditRecord.objects.filter(action="run_restarted").exists()


def test_a_run_just_queued_again_cannot_be_restarted_twice(fiona, run, settings):
    settings.SETTLEMENT_START_WITHIN_SECONDS = 600
    SettlementRun.objects.filter(pk=run.pk).update(task_id="t-9", queued_at=timezone.now())
    refusal = restart_refusal(SettlementRun.objects.get(pk=run.pk), now=timezone.now())
    assert refusal.startswith("This run was queued at") and "waiting for a worker" in refusal
    with pytest.raises(ConflictError, match="waiting for a worker"):
        run_restart(actor=fiona, run_id=run.pk)


def test_a_done_run_is_never_restarted(client, fiona, failed):
    client.force_login(fiona)
    restart(client, failed)
    page = restart(client, failed).content.decode()
    assert "This run is done: a settled period is never settled again." in page
    assert AuditRecord.objects.filter(action="run_restarted").count() == 1
    assert Payout.objects.count() == 1


@pytest.mark.parametrize("persona", ["alice", "carol", "victor"])
def test_other_roles_cannot_restart_a_run(client, request, persona, failed):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(reverse("finance:run_restart", args=[failed.pk])).status_code == 403
    assert SettlementRun.objects.get(pk=failed.pk).status == "failed"
    assert not AuditRecord.objects.filter(action="run_restarted").exists()


def test_a_visitor_is_sent_to_sign_in_and_nothing_restarts(client, failed):
    response = client.post(reverse("finance:run_restart", args=[failed.pk]))
    assert response.status_code == 302 and "/login/" in response.url
    assert SettlementRun.objects.get(pk=failed.pk).status == "failed"


def test_a_restart_is_a_post(client, fiona, failed):
    client.force_login(fiona)
    assert client.get(reverse("finance:run_restart", args=[failed.pk])).status_code == 405
