"""The run page and the runs list say what a run is doing: queued, running (since, attempt,
lease holder), failed (the reason, and Restart), done — and offer Restart only when allowed."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import SettlementRun
from billing.settlement import run_claim, run_execute, run_failed, run_open
from tests.billing.factories import last_week, ledger_row

RESTART = 'action="/staff/finance/runs/'


@pytest.fixture
def run(alice, acme) -> SettlementRun:
    ledger_row(alice, acme, agent_amount="28.00", day=last_week())
    return run_open(kind="agents", day=last_week())


@pytest.fixture
def page(client, fiona):
    client.force_login(fiona)

    def get(run: SettlementRun) -> str:
        return client.get(reverse("finance:run", args=[run.pk])).content.decode()

    return get


def test_a_queued_run_says_it_waits_for_a_worker(page, run):
    SettlementRun.objects.filter(pk=run.pk).update(task_id="t-1", queued_at=timezone.now())
    body = page(run)
    assert "Queued" in body and "waiting for a worker" in body
    assert RESTART not in body


def test_a_running_run_shows_since_attempt_and_lease_holder(page, run):
    run_claim(run_id=run.pk, holder="w1@box pid 41 task t-1", task_id="t-1")
    body = page(run)
    assert "Running since" in body and "Attempt</dt><dd>1" in body
    assert "w1@box pid 41 task t-1" in body and "lease until" in body
    assert RESTART not in body


def test_a_running_run_whose_lease_expired_says_so_and_offers_restart(page, run):
    run_claim(run_id=run.pk, holder="w1@box pid 41", task_id="t-1")
    SettlementRun.objects.filter(pk=run.pk).update(
        lease_expires_at=timezone.now() - dt.timedelta(minutes=3)
    )
    body = page(run)
    assert "This run looks lost: the lease of w1@box pid 41 expired at" in body
    assert RESTART in body


def test_a_failed_run_shows_its_reason_and_restart_on_the_page_and_in_the_list(client, page, run):
    run_claim(run_id=run.pk, task_id="t-1")
    run_failed(run_id=run.pk, reason="OperationalError: connection refused")
    body = page(run)
    assert "The run failed: OperationalError: connection refused" in body
    assert RESTART in body
    home = client.get(reverse("finance:home")).content.decode()
    assert "OperationalError: connection refused" in home


def test_a_done_run_offers_no_restart(page, run):
    run_claim(run_id=run.pk, task_id="t-1")
    run_execute(run_id=run.pk)
    body = page(run)
    assert "Done</dt>" in body and "settled" in body
    assert RESTART not in body
