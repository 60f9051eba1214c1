"""Agents' statements as PDF and the quarterly TDS summary (issue 15).

The statement names the agent's PAN in full (it is their own copy), the period inclusive, the
calls, gross, TDS rate and amount and the net; it never says "paid" before the payout is
marked paid. The TDS summary gives, per agent and quarter, what a Form 16A certificate needs.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import Payout
from billing.payouts import payout_approve, payout_mark_paid
from billing.pdfs import statement_status, statement_story, story_text
from billing.tds import tds_summary, year_of
from common.models import AuditAction, AuditRecord
from common.taxids import financial_year
from tests.billing.factories import engaged, last_week, ledger_row, settle

ALICE_PAN = "ABCPA1234F"


@pytest.fixture
def statements(alice, bob, acme):
    alice.agent_profile.pan = ALICE_PAN
    alice.agent_profile.tds_rate = Decimal("1.00")
    alice.agent_profile.save()
    engaged(alice, acme)
    ledger_row(alice, acme, agent_amount="1234.50", client_amount="1500.00", day=last_week())
    ledger_row(bob, acme, agent_amount="99.00", client_amount="120.00", day=last_week())
    payouts = settle("agents", last_week()).payouts.select_related("agent__user", "run")
    return {p.agent.user: p for p in payouts}


def test_the_statement_carries_pan_period_calls_gross_tds_and_net(statements, alice):
    payout = statements[alice]
    by_firm = [{"firm__name": "Acme Insurance", "calls": 1, "amount": Decimal("1234.50")}]
    text = story_text(statement_story(payout, by_firm, []))
    start, end = payout.run.period_start, payout.run.period_end - dt.timedelta(days=1)
    for field in (
        "Earnings statement",
        "Alice Agent",
        ALICE_PAN,
        "Acme Insurance",
        "₹1,234.50",  # gross
        "TDS withheld at 1%",
        "₹12.35",  # 1% of 1,234.50, half up
        "₹1,222.15",  # net
        "194C",
        "BLRH04521E",  # the deductor's TAN
        f"{start.day}",
        f"{end.day}",
    ):
        assert field in text, field
    assert "paid" not in text.lower()  # a draft payout


def test_only_a_payout_marked_paid_says_paid(statements, alice, fiona):
    payout = statements[alice]
    assert "paid" not in statement_status(payout).lower()
    payout_approve(payout_ids=[payout.pk], actor=fiona)
    payout.refresh_from_db()
    assert "paid" not in statement_status(payout).lower()
    payout_mark_paid(payout_id=payout.pk, actor=fiona)
    payout.refresh_from_db()
    assert statement_status(payout).startswith("Paid on")


def test_an_agent_downloads_their_own_statement_pdf_only(client, alice, bob, statements):
    client.force_login(alice)
    mine = statements[alice]
    response = client.get(reverse("earnings:statement_pdf", args=[mine.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"
    record = AuditRecord.objects.get(action=AuditAction.STATEMENT_PDF_DOWNLOADED)
    assert record.actor == alice and record.object_id == mine.pk
    theirs = statements[bob]
    assert client.get(reverse("earnings:statement_pdf", args=[theirs.pk])).status_code == 404


def test_finance_downloads_any_statement_pdf_and_firms_are_refused(
    client, fiona, carol, statements, bob
):
    url = reverse("finance:payout_pdf", args=[statements[bob].pk])
    client.force_login(carol)
    assert client.get(url).status_code == 403
    client.force_login(fiona)
    assert client.get(url).content.startswith(b"%PDF")


def test_the_summary_gives_each_agents_quarter_with_pan_amount_and_tds(statements, alice):
    fy_start = financial_year(timezone.localdate())[0]
    quarters = tds_summary(fy_start=fy_start)
    assert [q.name for q in quarters] == ["Q1", "Q2", "Q3", "Q4"]
    today = timezone.localdate()
    current = next(q for q in quarters if q.start <= today < q.end)
    rows = {r.name: r for r in current.rows}
    assert rows["Alice Agent"].pan == ALICE_PAN
    assert rows["Alice Agent"].gross == Decimal("1234.50")
    assert rows["Alice Agent"].tds == Decimal("12.35")
    assert rows["Alice Agent"].first_credit == today
    assert sum(len(q.rows) for q in quarters) == 2  # alice and bob, once each


def test_finance_reads_the_summary_and_its_csv(client, fiona, statements):
    client.force_login(fiona)
    page = client.get(reverse("finance:tds")).content.decode()
    assert ALICE_PAN in page and "₹12.35" in page and "194C" in page
    response = client.get(reverse("finance:tds_csv"), {"year": year_of(None)[1]})
    body = b"".join(response.streaming_content).decode()
    assert "pan" in body.splitlines()[0] and ALICE_PAN in body and "12.35" in body
    assert AuditRecord.objects.filter(action=AuditAction.TDS_SUMMARY_DOWNLOADED).count() == 1


def test_a_year_that_is_not_one_falls_back_to_this_year(client, fiona, statements):
    client.force_login(fiona)
    for year in ("nonsense", "2026-99", "1999-00", "9999-00"):
        response = client.get(reverse("finance:tds"), {"year": year})
        assert response.status_code == 200 and response.context["year"] == year_of(None)[1]


def test_the_summary_is_for_finance_only(client, alice, carol):
    for user in (alice, carol):
        client.force_login(user)
        assert client.get(reverse("finance:tds")).status_code == 403
        assert client.get(reverse("finance:tds_csv")).status_code == 403


def test_an_agent_sees_their_own_quarters_on_the_earnings_page(client, alice, bob, statements):
    client.force_login(alice)
    page = client.get(reverse("earnings:home")).content.decode()
    assert "₹12.35" in page and "ABCPAXXXXF" in page and ALICE_PAN not in page
    assert "₹99.00" not in page  # bob's
    quarters = client.get(reverse("earnings:home")).context["tds_quarters"]
    assert all(r.agent_id == alice.agent_profile.pk for q in quarters for r in q.rows)


def test_a_payout_marked_paid_counts_as_paid_in_the_summary(statements, alice, fiona):
    payout = statements[alice]
    Payout.objects.filter(pk=payout.pk).update(status=Payout.Status.PAID)
    rows = [r for q in tds_summary(fy_start=year_of(None)[0]) for r in q.rows]
    assert next(r for r in rows if r.name == "Alice Agent").paid == Decimal("1234.50")


def test_the_summary_page_reads_the_same_queries_for_more_agents(client, fiona, request):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(fiona)
    with CaptureQueriesContext(connection) as none:
        client.get(reverse("finance:tds"))
    request.getfixturevalue("statements")  # two agents' payouts this quarter
    with CaptureQueriesContext(connection) as two:
        page = client.get(reverse("finance:tds")).content.decode()
    assert ALICE_PAN in page
    assert len(two) == len(none)
