"""Settlement's notifications: a done agents' run tells each agent paid that their statement
is ready, a firms' run tells each firm's own users of its invoice — once, however often the
run is executed — a paid payout tells its agent, a failed run tells finance."""

import pytest
from django.urls import reverse

from accounts.models import Notification
from billing.models import Payout
from billing.payouts import payout_approve, payout_mark_paid
from billing.settlement import run_execute, run_failed, run_open
from tests.billing.factories import last_month, last_week, ledger_row, settle
from tests.factories import FirmMemberFactory

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


def _told(kind):
    rows = Notification.objects.filter(kind=kind)
    return sorted(rows.values_list("recipient__email", flat=True))


def test_a_done_agents_run_tells_each_agent_paid_once(alice, bob, carol, acme):
    for agent in (alice, bob, alice):
        ledger_row(agent, acme, day=last_week())
    run = settle("agents", last_week())
    run_execute(run_id=run.pk)  # a second execution of a done run
    assert _told(Kind.STATEMENT_READY) == [alice.email, bob.email]
    notice = Notification.objects.filter(recipient=alice).get()
    assert notice.title.startswith("Your statement for ") and notice.title.endswith(" is ready")
    assert notice.url == reverse("earnings:statements")


def test_a_firms_run_tells_each_firm_of_its_own_invoice_only(alice, acme, carol, globex, dave):
    colleague = FirmMemberFactory(firm=acme, user__email="cathy@firm.example").user
    ledger_row(alice, acme, day=last_month())
    settle("firms", last_month())
    assert _told(Kind.INVOICE_ISSUED) == sorted([carol.email, colleague.email])
    invoice = acme.invoices.get()
    notice = Notification.objects.filter(recipient=carol).get()
    assert notice.title == f"Invoice {invoice.number} is issued"
    assert notice.url == reverse("invoices:detail", args=[invoice.pk])
    assert "₹" in notice.body and "Globex" not in notice.body + notice.title


def test_a_paid_payout_tells_its_agent_without_bank_details(
    alice, bob, acme, fiona, mailoutbox, django_capture_on_commit_callbacks
):
    profile = alice.agent_profile
    profile.bank_account, profile.bank_account_last4 = "123456789012", "9012"
    profile.save()
    ledger_row(alice, acme, day=last_week())
    settle("agents", last_week())
    payout = Payout.objects.get()
    payout_approve(actor=fiona, payout_ids=[payout.pk])
    with django_capture_on_commit_callbacks(execute=True):
        payout_mark_paid(actor=fiona, payout_id=payout.pk)
    [notice] = Notification.objects.filter(kind=Kind.PAYOUT_PAID)
    assert notice.recipient == alice and notice.url == f"/agent/earnings/statements/{payout.pk}/"
    [paid] = [m for m in mailoutbox if "is paid" in m.subject]
    assert paid.to == [alice.email]
    assert "9012" not in paid.body + notice.body


def test_a_failed_run_tells_finance_each_time_it_fails(fiona, victor, alice):
    run = run_open(kind="agents", day=last_week())
    assert run_failed(run_id=run.pk, reason="Database error: too many retries")
    assert _told(Kind.RUN_FAILED) == [fiona.email]
    notice = Notification.objects.get(kind=Kind.RUN_FAILED)
    assert "too many retries" in notice.body and notice.url == f"/staff/finance/runs/{run.pk}/"
    assert not run_failed(run_id=run.pk, reason="again")  # already failed: nothing new
    assert Notification.objects.filter(kind=Kind.RUN_FAILED).count() == 1
