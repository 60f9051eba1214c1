"""One rule for money and periods on every billing page (issue 15): ₹ with Indian grouping,
periods inclusive, and an unpaid statement that never says paid.

Alice earns ₹1,50,000.00 in a week (TDS 10%: ₹15,000.00, net ₹1,35,000.00) on calls acme pays
₹2,00,000.00 for; every page that shows those amounts shows them grouped, never "150000.00"
or "150000.00 INR", and every period as its first to its last day.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse

from billing.models import Invoice, Transaction
from billing.payouts import invoice_mark_paid, payout_approve, payout_mark_paid
from common.dates import period_label
from common.money import format_money
from tests.billing.exporting import bank
from tests.billing.factories import answered_call, last_month, last_week, ledger_row, settle

# A raw amount: four or more digits before the point, no grouping ("150000.00", "1500.00"),
# or any amount followed by a currency code ("28.00 INR").
RAW_AMOUNT = re.compile(r"(?<![\d,.])\d{4,}\.\d{2}(?!\d)|\d\.\d{2}\s*(INR|USD|EUR|GBP)\b")


@pytest.fixture
def books(alice, acme):
    """Alice's payout of last week (draft) and acme's invoice of last month (issued)."""
    bank(alice, account="123456789012", ifsc="SBIN0001234")
    ledger_row(alice, acme, agent_amount="150000.00", client_amount="200000.00", day=last_week())
    month = last_month().replace(day=1)  # never in last week's week, whatever today is
    ledger_row(alice, acme, agent_amount="90000.00", client_amount="123456.70", day=month)
    payout = settle("agents", last_week()).payouts.get()
    invoice = settle("firms", month).invoices.get()
    return payout, invoice


def page(client, user, name: str, *args) -> str:
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200, name
    text = response.content.decode()
    raw = [match.group(0) for match in RAW_AMOUNT.finditer(text)]
    assert not raw, f"{name} shows amounts outside the money rule: {raw}"
    assert "end date not included" not in text and "(end" not in text
    return text


def test_the_agent_reads_the_payout_grouped_and_its_week_inclusive(client, alice, books):
    payout, _invoice = books
    week = period_label(payout.run.period_start, payout.run.period_end)
    for name, args in [
        ("earnings:home", []),
        ("earnings:statements", []),
        ("earnings:statement", [payout.pk]),
        ("agents:home", []),
    ]:
        text = page(client, alice, name, *args)
        assert "₹1,35,000.00" in text and week in text, name
    statement = page(client, alice, "earnings:statement", payout.pk)
    assert "₹1,50,000.00" in statement and "₹15,000.00" in statement
    assert "₹1,50,000.00 per call" not in statement  # the rate is the rate card's (28.00)


def test_the_firm_reads_its_invoice_grouped_and_its_month_inclusive(client, carol, books):
    _payout, invoice = books
    month = period_label(invoice.run.period_start, invoice.run.period_end)
    total = format_money(invoice.total)  # last week's call is in it too when it was last month
    due = format_money(invoice.total_with_tax)  # what the firm owes: GST included
    assert invoice.total_with_tax > invoice.total
    for name, args in [("invoices:list", []), ("invoices:detail", [invoice.pk])]:
        text = page(client, carol, name, *args)
        assert due in text and month in text, name
    assert total in page(client, carol, "invoices:detail", invoice.pk)  # the taxable value
    assert "₹1,23,456.70" in page(client, carol, "invoices:detail", invoice.pk)


def test_finance_reads_every_amount_grouped_and_every_period_inclusive(client, fiona, books):
    payout, invoice = books
    week = period_label(payout.run.period_start, payout.run.period_end)
    month = period_label(invoice.run.period_start, invoice.run.period_end)
    total = format_money(invoice.total)
    shown = {
        ("finance:home", ()): ["₹1,50,000.00", total, week, month],
        ("finance:run", (payout.run_id,)): ["₹1,50,000.00", "₹15,000.00", "₹1,35,000.00", week],
        ("finance:run", (invoice.run_id,)): [total, month],
        ("finance:payouts", ()): ["₹1,50,000.00", "₹1,35,000.00", week],
        ("finance:payout", (payout.pk,)): ["₹1,35,000.00", "₹2,00,000.00", "₹50,000.00", week],
        ("finance:invoices", ()): [total, month],
        ("finance:invoice", (invoice.pk,)): [total, "₹1,23,456.70", "₹90,000.00", month],
    }
    for (name, args), expected in shown.items():
        text = page(client, fiona, name, *args)
        assert all(piece in text for piece in expected), (name, expected)


def dollar_row(agent, firm, amount: str) -> Transaction:
    """A transaction in dollars last week (ledger_row writes rupees)."""
    rupees = ledger_row(agent, firm, agent_amount=amount, client_amount=amount, day=last_week())
    call = answered_call(agent, firm, ended_at=rupees.occurred_at)
    return Transaction.objects.create(
        **{f: getattr(rupees, f) for f in ("engagement", "agent", "firm", "units", "rate_card")},
        call=call,
        currency="USD",
        agent_amount=Decimal(amount),
        client_amount=Decimal(amount),
        occurred_at=call.ended_at,
        agent_period=rupees.agent_period,
        firm_period=rupees.firm_period,
    )


def test_a_run_of_two_currencies_shows_each_total_with_its_own(client, fiona, alice, acme):
    dollar_row(alice, acme, "500.00")  # and ₹500.00 beside it
    run = settle("agents", last_week())
    assert run.totals == {"INR": "500.00", "USD": "500.00"} and run.total == Decimal("1000.00")
    text = page(client, fiona, "finance:run", run.pk)
    assert "₹500.00" in text and "USD\u00a0500.00" in text and "1,000.00" not in text
    assert "₹1,000.00" not in page(client, fiona, "finance:home")


def test_a_run_keeps_its_total_per_currency(alice, acme):
    ledger_row(alice, acme, agent_amount="1500.50", client_amount="2000.00", day=last_week())
    assert settle("agents", last_week()).totals == {"INR": "1500.50"}


def test_an_unpaid_statement_never_says_paid(client, alice, fiona, books):
    payout, _invoice = books
    draft = page(client, alice, "earnings:statement", payout.pk)
    assert "Net to be paid" in draft and "To be paid once finance approves it" in draft
    assert "Net paid" not in draft and "Paid to" not in draft and "Paid on" not in draft
    home = page(client, alice, "agents:home")
    assert "Paid" not in home.split("Earnings", 1)[1].split("</article>", 1)[0]

    payout_approve(actor=fiona, payout_ids=[payout.pk])
    approved = page(client, alice, "earnings:statement", payout.pk)
    assert "Approved on" in approved and ", to be paid" in approved
    assert "Net to be paid" in approved and "Net paid" not in approved
    finance = page(client, fiona, "finance:payout", payout.pk)
    assert "Net to be paid" in finance and "Net paid" not in finance

    payout_mark_paid(actor=fiona, payout_id=payout.pk)
    paid = page(client, alice, "earnings:statement", payout.pk)
    assert "Net paid" in paid and "Paid on" in paid and "Paid to" in paid
    assert "to be paid" not in paid.lower()


def test_an_issued_invoice_is_due_and_a_paid_one_says_paid(client, carol, fiona, books):
    _payout, invoice = books
    assert "Total due" in page(client, carol, "invoices:detail", invoice.pk)
    assert "Total due" in page(client, fiona, "finance:invoice", invoice.pk)
    invoice_mark_paid(actor=fiona, invoice_id=invoice.pk)
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.PAID
    text = page(client, carol, "invoices:detail", invoice.pk)
    assert "Total paid" in text and "Total due" not in text


def test_the_firms_invoice_csv_names_its_currency_and_its_month(client, carol, books):
    _payout, invoice = books
    client.force_login(carol)
    response = client.get(reverse("invoices:download", args=[invoice.pk]))
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    month = period_label(invoice.run.period_start, invoice.run.period_end)
    assert lines[0].split(",")[-1] == "Amount (₹)" and "currency" not in lines[0].lower()
    assert {line.split(",")[1] for line in lines[1:]} == {month}
    assert any(line.endswith(",123456.70") for line in lines[1:])  # a plain number to sum


def test_dates_stored_inclusive_read_like_periods():
    html = Template("{{ s|through:e }} / {{ s|through:None }}").render(
        Context({"s": dt.date(2026, 12, 1), "e": dt.date(2027, 3, 31)})
    )
    assert html == "1 Dec 2026\u2009–\u200931 Mar 2027 / —"
