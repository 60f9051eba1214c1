"""A fresh `seed_demo` shows a settled demo on its first run: its ledger rows dated with their
calls, every ended week (agents) and month (firms) settled, finance's work begun (payouts
approved, one week paid, an invoice paid), statements the agents can open; a second seed
changes none of it (it once took a second seed to settle anything)."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from agents.models import AgentProfile
from billing.models import Invoice, InvoiceLine, Payout, SettlementRun, Transaction
from billing.periods import period_end, period_start
from common.models import AuditAction, AuditRecord
from routing.models import Call

pytestmark = pytest.mark.django_db
Kind = SettlementRun.Kind


@pytest.fixture(scope="module", autouse=True)
def seeded(demo_once: str) -> str:
    return demo_once  # tests/demo/seeded/conftest.py: the package's one seed


def _ended(kind: str, start) -> bool:
    return period_end(kind, start) <= timezone.localdate()


def test_every_ledger_row_is_dated_with_its_call_and_priced_under_its_engagement():
    completed = Call.objects.filter(
        status=Call.Status.COMPLETED, agent__isnull=False, direction=Call.Direction.INBOUND
    )
    # Calls' rows (email's are mailroom's: tests/demo/seeded/test_demo_has_email.py).
    rows = Transaction.objects.filter(channel="call").select_related("call", "engagement")
    assert rows.filter(direction="inbound").count() == completed.count() > 20
    # The campaigns' attempts, on their outbound rates (an opt-out is a connect: answered).
    outbound = rows.filter(direction="outbound")
    assert not outbound.exclude(call__attempt__status="ended").exists()
    for row in rows:
        day = timezone.localdate(row.call.ended_at)
        assert row.occurred_at == row.call.ended_at, row
        assert row.agent_period == period_start(Kind.AGENTS, day), row
        assert row.firm_period == period_start(Kind.FIRMS, day), row
        assert row.engagement.starts_on <= day, row  # the call falls inside its engagement
    days = {timezone.localdate(t.occurred_at) for t in rows}
    assert len(days) > 20  # five weeks of calls, not one day


def test_the_first_seed_settles_every_ended_week_and_month_and_nothing_open():
    for kind, field in ((Kind.AGENTS, "agent_period"), (Kind.FIRMS, "firm_period")):
        periods = set(Transaction.objects.values_list(field, flat=True))
        ended = {p for p in periods if _ended(kind, p)}
        runs = SettlementRun.objects.filter(kind=kind)
        assert len(ended) >= (4 if kind == Kind.AGENTS else 1), kind
        assert set(runs.values_list("period_start", flat=True)) == ended, kind
        assert set(runs.values_list("status", flat=True)) == {SettlementRun.Status.DONE}
        for run in runs:
            assert (
                run.transactions == Transaction.objects.filter(**{field: run.period_start}).count()
            )


def test_finance_finds_payouts_in_every_state_and_invoices_issued_and_paid():
    weeks = list(SettlementRun.objects.filter(kind=Kind.AGENTS).order_by("period_start"))
    statuses = {
        run.period_start: set(run.payouts.values_list("status", flat=True)) for run in weeks
    }
    assert statuses[weeks[0].period_start] == {Payout.Status.PAID}
    assert statuses[weeks[-1].period_start] == {Payout.Status.DRAFT}  # left to review
    for run in weeks[1:-1]:
        assert statuses[run.period_start] == {Payout.Status.APPROVED}, run
    paid = Payout.objects.filter(status=Payout.Status.PAID)
    assert not paid.filter(paid_at__isnull=True).exists()
    invoices = Invoice.objects.all()
    assert invoices.filter(status=Invoice.Status.PAID).count() == 1
    assert invoices.filter(status=Invoice.Status.ISSUED).exists()
    assert {i.kind for i in invoices} == {Invoice.Kind.ACTIVITY, Invoice.Kind.FIXED}
    assert not invoices.exclude(lines__isnull=False).exists()  # every invoice has its lines


def test_agents_see_their_statements_and_open_them(client):
    payout = Payout.objects.filter(status=Payout.Status.PAID).select_related("agent__user").first()
    client.force_login(payout.agent.user)
    listed = client.get("/agent/earnings/statements/")
    assert listed.status_code == 200
    mine = {p.pk for p in listed.context["page"].rows}
    assert mine == set(Payout.objects.filter(agent=payout.agent).values_list("pk", flat=True))
    assert len(mine) >= 2
    page = client.get(f"/agent/earnings/statements/{payout.pk}/")
    assert page.status_code == 200
    assert list(page.context["transactions"])  # the week's calls, one row each


def test_the_logins_are_the_last_lines_printed_one_a_line_with_their_state(seeded):
    lines = seeded.rstrip().splitlines()
    table = lines[-User.objects.count() - 1 : -1]  # the TOTP line ends it
    emails = [line.split()[0] for line in table]
    assert sorted(emails) == sorted(User.objects.values_list("email", flat=True))
    assert "homeshore-demo" in lines[-User.objects.count() - 3]  # the title, then the header
    assert "TOTP secret" in lines[-1]
    states = {line.split()[0]: line for line in table}
    assert "suspended (missed the infosec refresher)" in states["gowri@agents.example"]
    assert "may re-apply" in states["suresh@agents.example"]
    assert "two-factor" in states["finance@homeshore.example"]


def test_the_demo_has_an_agent_in_every_state_the_pages_explain():
    verified = AgentProfile.objects.filter(status=AgentProfile.Status.VERIFIED)
    assert set(verified.values_list("duty_status", flat=True)) == {"available"}  # on duty
    gowri = AgentProfile.objects.get(user__email="gowri@agents.example")
    assert gowri.status == AgentProfile.Status.SUSPENDED
    said = AuditRecord.objects.about(gowri).filter(action=AuditAction.SUSPENDED).get()
    assert said.reason == "Missed the infosec refresher"
    suresh = AgentProfile.objects.get(user__email="suresh@agents.example")
    assert suresh.status == AgentProfile.Status.REJECTED
    assert suresh.checks.get(kind="identity").reason == "The identity scan is unreadable"


def _snapshot() -> dict:
    return {
        "calls": Call.objects.count(),
        "transactions": list(
            Transaction.objects.order_by("pk").values_list("pk", "occurred_at", "agent_period")
        ),
        "runs": list(SettlementRun.objects.order_by("pk").values_list("pk", "status", "total")),
        "payouts": list(Payout.objects.order_by("pk").values_list("pk", "status", "net")),
        "invoices": list(Invoice.objects.order_by("pk").values_list("pk", "status", "total")),
        "lines": InvoiceLine.objects.count(),
    }


def test_a_second_seed_adds_nothing_and_changes_nothing():
    before = _snapshot()
    call_command("seed_demo", stdout=io.StringIO())
    assert _snapshot() == before
