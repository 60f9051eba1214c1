"""Email rows settle in the one ledger: a handled conversation pays its agent and is invoiced
to a partial-BPO firm on a line of its own, a campaign email is invoiced and pays nobody, a
complete-BPO firm's fee covers both; pages, sheets and PDFs name the work and never break on
a row without a call."""

import csv
import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.urls import reverse

from billing.ledger import (
    transaction_record,
    transaction_record_campaign_email,
    transaction_record_conversation,
)
from billing.models import FixedFeePlan, Invoice, Payout, Transaction
from billing.pdfs import statement_by_firm
from billing.selectors import payout_transactions
from tests.billing.factories import answered_call, day_at_noon, last_month, settle
from tests.billing.mailrows import (
    email_campaign,
    email_engaged,
    handled_conversation,
    sent_email,
    with_campaign_rate,
)

# A week and a month that have both ended: one day settles in an agents' and a firms' run.
DAY = last_month() - dt.timedelta(days=7)


def work(agent, firm):
    """One inbound call (40.00, agent 28.00), two handled conversations (25.00, agent 15.00)
    and three campaign emails (1.50 each, nobody paid), all on DAY."""
    engagement = email_engaged(agent, firm, client="25.00", agent_rate="15.00")
    at = day_at_noon(DAY)
    transaction_record(call=answered_call(agent, engagement.lines.first(), ended_at=at))
    conversations = [handled_conversation(engagement, at=at) for _ in range(2)]
    for conversation in conversations:
        transaction_record_conversation(conversation=conversation)
    request = with_campaign_rate(engagement.request, "1.50")
    campaign = email_campaign(firm, request=request, name="Renewals")
    for _ in range(3):
        transaction_record_campaign_email(email=sent_email(campaign, at=at))
    return engagement, conversations, campaign


def ledger_sum(field: str, **where) -> Decimal:
    return Transaction.objects.filter(**where).aggregate(s=Sum(field))["s"]


def test_a_partial_firm_is_invoiced_each_email_activity_on_a_line_of_its_own(alice, acme):
    engagement, _, _ = work(alice, acme)
    run = settle("firms", DAY)
    invoice = Invoice.objects.get(run=run, firm=acme)
    # 40.00 + 2 x 25.00 + 3 x 1.50
    assert invoice.total == Decimal("94.50") == ledger_sum("client_amount", firm=acme)
    lines = {
        (line.request_id, line.description): (line.quantity, line.units, line.amount)
        for line in invoice.lines.all()
    }
    assert lines == {
        (engagement.request_id, "Handled calls"): (1, 1, Decimal("40.00")),
        (engagement.request_id, "Email conversations"): (2, 2, Decimal("50.00")),
        (engagement.request_id, "Campaign emails"): (3, 3, Decimal("4.50")),
    }
    assert run.transactions == 6 and run.totals == {"INR": "94.50"}


def test_the_agent_is_paid_for_conversations_and_nobody_for_campaign_emails(alice, acme):
    work(alice, acme)
    run = settle("agents", DAY)
    payout = Payout.objects.get(run=run)
    # 28.00 + 2 x 15.00 = 58.00, less 10 % TDS (5.80).
    assert (payout.calls, payout.gross, payout.tds) == (3, Decimal("58.00"), Decimal("5.80"))
    assert payout.gross == ledger_sum("agent_amount", agent__user=alice)
    assert Payout.objects.filter(run=run).count() == 1  # no payout for the agentless rows
    assert run.transactions == 3 and run.totals == {"INR": "58.00"}


def test_a_complete_firms_invoice_stays_its_fee_with_email_listed_as_included(alice, globex):
    FixedFeePlan.objects.create(
        firm=globex,
        fee=Decimal("1000.00"),
        included_calls=1,
        overage_per_call=Decimal("5.50"),
        currency="INR",
    )
    work(alice, globex)  # one call (within the one included) and five email activities
    invoice = Invoice.objects.get(run=settle("firms", DAY), firm=globex)
    assert (invoice.kind, invoice.total) == ("fixed", Decimal("1000.00"))
    lines = sorted((line.description, line.quantity, line.amount) for line in invoice.lines.all())
    assert lines == [
        ("Campaign emails (included in the fee)", 3, Decimal("0.00")),
        ("Email conversations (included in the fee)", 2, Decimal("0.00")),
        ("Fixed fee for the period", 1, Decimal("1000.00")),
    ]


def test_runs_with_mixed_rows_of_two_firms_and_two_agents_total_right(alice, bob, acme, globex):
    work(alice, acme)
    work(bob, globex)  # globex has no plan: billed per activity, like acme
    agents, firms = settle("agents", DAY), settle("firms", DAY)
    assert agents.totals == {"INR": "116.00"} and agents.transactions == 6
    assert firms.totals == {"INR": "189.00"} and firms.transactions == 12
    for firm in (acme, globex):
        invoice = Invoice.objects.get(run=firms, firm=firm)
        assert invoice.total == ledger_sum("client_amount", firm=firm) == Decimal("94.50")
        assert sum(line.amount for line in invoice.lines.all()) == invoice.total


def test_the_agents_statement_and_earnings_name_the_email_conversations(client, alice, acme):
    _, conversations, _ = work(alice, acme)
    queue = conversations[0].queue.name
    client.force_login(alice)
    earnings = " ".join(client.get(reverse("earnings:home")).content.decode().split())
    assert f"Email conversation · {queue}" in earnings
    assert "₹15.00 per handled conversation" in earnings
    assert "Campaign email" not in earnings  # not the agent's work
    payout = Payout.objects.get(run=settle("agents", DAY))
    page = " ".join(
        client.get(reverse("earnings:statement", args=[payout.pk])).content.decode().split()
    )
    assert f"Email conversation · {queue}" in page and "Inbound call" in page
    assert "25.00" not in page  # what the firm pays stays with the agency
    rows = statement_by_firm(payout_transactions(payout=payout))
    assert [(r["firm__name"], r["calls"], r["amount"]) for r in rows] == [
        ("Acme Insurance", 1, Decimal("28.00")),
        ("Acme Insurance · email conversations", 2, Decimal("30.00")),
    ]
    pdf = client.get(reverse("earnings:statement_pdf", args=[payout.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_the_firms_invoice_sheet_and_pdf_carry_email_rows_without_agent_amounts(
    client, carol, alice, acme
):
    _, _, campaign = work(alice, acme)
    invoice = Invoice.objects.get(run=settle("firms", DAY), firm=acme)
    client.force_login(carol)
    page = " ".join(
        client.get(reverse("invoices:detail", args=[invoice.pk])).content.decode().split()
    )
    assert "Email conversations" in page and "Campaign emails" in page
    assert f"Campaign email · {campaign.name}" in page
    download = client.get(reverse("invoices:download", args=[invoice.pk]))
    sheet = b"".join(download.streaming_content).decode("utf-8-sig").splitlines()
    rows = list(csv.reader(sheet))
    assert sorted(row[-3] for row in rows[1:]) == [
        "Campaign email",
        "Campaign email",
        "Campaign email",
        "Email conversation",
        "Email conversation",
        "Inbound",
    ]
    assert campaign.name in {row[3] for row in rows[1:]}  # a campaign email's place
    assert client.get(reverse("invoices:pdf", args=[invoice.pk])).status_code == 200
    for text in (page, "\n".join(sheet)):
        assert not any(secret in text for secret in ("15.00", "30.00", "28.00", "agent_rate"))


def test_finance_pages_show_email_rows(client, fiona, alice, acme):
    work(alice, acme)
    payout = Payout.objects.get(run=settle("agents", DAY))
    firms = settle("firms", DAY)
    invoice = Invoice.objects.get(run=firms, firm=acme)
    client.force_login(fiona)
    for url in (
        reverse("finance:payout", args=[payout.pk]),
        reverse("finance:invoice", args=[invoice.pk]),
        reverse("finance:run", args=[firms.pk]),
        reverse("finance:run", args=[payout.run_id]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    page = " ".join(
        client.get(reverse("finance:invoice", args=[invoice.pk])).content.decode().split()
    )
    assert "Campaign email · Renewals" in page and "Email conversation" in page
