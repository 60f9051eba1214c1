"""Outbound rows settle like inbound ones: agents are paid for them, partial-BPO firms are
invoiced per activity on a line of their own, complete-BPO firms count them within their fixed
fee and its overage. Statements, invoices and the invoice sheet say which work was outbound;
a firm never sees what the agent earned."""

import csv
import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from billing.ledger import transaction_record, transaction_record_attempt
from billing.models import FixedFeePlan, Invoice, Payout, Transaction
from billing.pdfs import statement_by_firm
from billing.selectors import payout_transactions
from tests.billing.factories import answered_call, day_at_noon, last_month, settle
from tests.billing.test_outbound_pricing import outbound_engaged
from tests.factories import outbound_attempt_factory

# A week and a month that have both ended: one day settles in an agents' and a firms' run.
DAY = last_month() - dt.timedelta(days=7)


def work(agent, firm, *, unit: str = "connect"):
    """One inbound call at 40.00 (agent 28.00) and three attempts at 10.00 (agent 7.31) per
    unit: two answered, one not (billed per attempt only)."""
    engagement = outbound_engaged(agent, firm, unit=unit, client="10.00", agent_rate="7.31")
    at = day_at_noon(DAY)
    transaction_record(call=answered_call(agent, firm, talk_seconds=60, ended_at=at))
    attempts = [
        outbound_attempt_factory(engagement=engagement, outcome=outcome, ended_at=at)
        for outcome in ("connected", "connected", "no_answer")
    ]
    for attempt in attempts:
        transaction_record_attempt(attempt=attempt)
    return engagement, attempts


def ledger_sum(field: str, **where) -> Decimal:
    return Transaction.objects.filter(**where).aggregate(s=Sum(field))["s"]


def test_a_partial_firm_is_invoiced_inbound_and_outbound_on_lines_of_their_own(alice, acme):
    engagement, _ = work(alice, acme)
    invoice = Invoice.objects.get(run=settle("firms", DAY), firm=acme)
    assert invoice.total == Decimal("60.00") == ledger_sum("client_amount", firm=acme)
    lines = {
        (line.request_id, line.description): (line.quantity, line.units, line.amount)
        for line in invoice.lines.all()
    }
    assert lines == {
        (engagement.request_id, "Handled calls"): (1, 1, Decimal("40.00")),
        (engagement.request_id, "Outbound calls"): (2, 2, Decimal("20.00")),
    }


def test_the_agent_is_paid_for_inbound_and_outbound_work_alike(alice, acme):
    work(alice, acme)
    run = settle("agents", DAY)
    payout = Payout.objects.get(run=run)
    # 28.00 + 2 x 7.31 = 42.62, less 10 % TDS (4.262 -> 4.26).
    assert (payout.calls, payout.gross, payout.tds) == (3, Decimal("42.62"), Decimal("4.26"))
    assert payout.gross == ledger_sum("agent_amount", agent__user=alice)
    assert run.transactions == Transaction.objects.count()


@pytest.mark.parametrize(
    ("included", "total", "overage_lines"),
    [
        (2, Decimal("1011.00"), [(2, Decimal("11.00"))]),
        (4, Decimal("1000.00"), []),
        (None, Decimal("1000.00"), []),
    ],
)
def test_a_complete_firm_counts_outbound_calls_within_its_fee_and_overage(
    alice, globex, included, total, overage_lines
):
    FixedFeePlan.objects.create(
        firm=globex,
        fee=Decimal("1000.00"),
        included_calls=included,
        overage_per_call=Decimal("5.50") if included is not None else Decimal(0),
        currency="INR",
    )
    work(alice, globex, unit="attempt")  # 1 inbound + 3 attempts: 4 calls in the period
    invoice = Invoice.objects.get(run=settle("firms", DAY), firm=globex)
    assert (invoice.kind, invoice.total) == ("fixed", total)
    fee, *beyond = [(line.quantity, line.units, line.amount) for line in invoice.lines.all()]
    assert fee == (1, 4, Decimal("1000.00"))
    assert [(q, a) for q, _u, a in beyond] == overage_lines


def test_a_complete_firm_without_a_plan_is_billed_per_activity_outbound_included(alice, globex):
    work(alice, globex, unit="minute")  # 90 s connected: 2 started minutes each
    invoice = Invoice.objects.get(run=settle("firms", DAY), firm=globex)
    assert invoice.kind == "activity"
    outbound = invoice.lines.get(description="Outbound calls")
    assert (outbound.quantity, outbound.units, outbound.amount) == (2, 4, Decimal("40.00"))
    assert invoice.total == ledger_sum("client_amount", firm=globex) == Decimal("80.00")


def test_the_agents_statement_names_the_outbound_calls_and_their_campaign(client, alice, acme):
    _, attempts = work(alice, acme)
    payout = Payout.objects.get(run=settle("agents", DAY))
    client.force_login(alice)
    page = " ".join(
        client.get(reverse("earnings:statement", args=[payout.pk])).content.decode().split()
    )
    assert f"Outbound call · {attempts[0].campaign.name}" in page
    assert "Inbound call" in page
    assert "₹7.31 per connected call" in page and "₹28.00 per call" in page
    assert "10.00" not in page  # what the firm pays stays with the agency
    rows = statement_by_firm(payout_transactions(payout=payout))
    assert [(r["firm__name"], r["calls"], r["amount"]) for r in rows] == [
        ("Acme Insurance", 1, Decimal("28.00")),
        ("Acme Insurance · outbound calls", 2, Decimal("14.62")),
    ]


def test_the_agents_earnings_this_period_show_outbound_calls(client, alice, acme):
    engagement = outbound_engaged(alice, acme, unit="attempt", agent_rate="7.31")
    attempt = outbound_attempt_factory(engagement=engagement, outcome="busy")
    transaction_record_attempt(attempt=attempt)
    client.force_login(alice)
    page = " ".join(client.get(reverse("earnings:home")).content.decode().split())
    assert f"Outbound call · {attempt.campaign.name}" in page
    assert "₹7.31 per attempt" in page


def test_the_firms_invoice_and_its_sheet_show_outbound_work_without_agent_amounts(
    client, carol, acme, alice
):
    _, attempts = work(alice, acme)
    invoice = Invoice.objects.get(run=settle("firms", DAY), firm=acme)
    client.force_login(carol)
    page = " ".join(
        client.get(reverse("invoices:detail", args=[invoice.pk])).content.decode().split()
    )
    assert "Outbound calls" in page and f"Outbound call · {attempts[0].campaign.name}" in page
    download = client.get(reverse("invoices:download", args=[invoice.pk]))
    sheet = b"".join(download.streaming_content).decode("utf-8-sig").splitlines()
    rows = list(csv.reader(sheet))
    assert rows[0][-2:] == ["Direction", "Campaign"]  # added last: old columns keep places
    directions = sorted(row[-2] for row in rows[1:])
    assert directions == ["Inbound", "Outbound", "Outbound"]
    assert any(attempts[0].campaign.name in row for row in sheet[1:])
    for text in (page, "\n".join(sheet)):
        assert not any(secret in text for secret in ("7.31", "14.62", "28.00", "agent_rate"))


def test_finance_sees_outbound_rows_with_both_rates(client, fiona, alice, acme):
    work(alice, acme)
    payout = Payout.objects.get(run=settle("agents", DAY))
    client.force_login(fiona)
    page = " ".join(
        client.get(reverse("finance:payout", args=[payout.pk])).content.decode().split()
    )
    assert "Outbound call" in page and "₹7.31 per connected call" in page
