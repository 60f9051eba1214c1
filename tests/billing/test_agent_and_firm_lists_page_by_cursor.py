"""The agent's earnings page lists this period's calls a page at a time (a busy agent's page
listed every call: 393 ms and 366 KB); the totals still count them all; a cursor only ever
shows the signed-in agent's own rows."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import Invoice, Payout, SettlementRun, Transaction
from tests.billing.factories import ledger_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(alice, acme):
    """120 paid calls of alice's this period."""
    return [ledger_row(alice, acme) for _ in range(120)]


def _ids(response) -> list[int]:
    return [t.pk for t in response.context["page"]]


def test_a_busy_agents_earnings_come_fifty_at_a_time_and_all_count(client, alice, busy):
    client.force_login(alice)
    response = client.get(reverse("earnings:home"))
    assert response.context["open"]["calls"] == 120  # the period's totals: every row
    seen = _ids(response)
    assert len(seen) == 50
    while response.context["page"].has_next:
        response = client.get(
            reverse("earnings:home"), {"cursor": response.context["page"].next_cursor}
        )
        seen += _ids(response)
    newest_first = Transaction.objects.filter(agent__user=alice).order_by("-occurred_at", "-pk")
    assert seen == list(newest_first.values_list("pk", flat=True))
    assert 'rel="prev"' in response.content.decode()  # the last page links back


def test_another_agents_cursor_shows_only_ones_own_earnings(client, alice, bob, acme, busy):
    mine = [ledger_row(bob, acme) for _ in range(3)]
    client.force_login(alice)
    cursor = client.get(reverse("earnings:home")).context["page"].next_cursor
    client.force_login(bob)
    response = client.get(reverse("earnings:home"), {"cursor": cursor})
    assert response.status_code == 200
    assert set(_ids(response)) <= {t.pk for t in mine}
    assert not set(_ids(response)) & {t.pk for t in busy}


def _statements(agent_user, weeks: int) -> list[Payout]:
    """`weeks` weekly statements of the agent's, the newest last week."""
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    payouts = []
    for n in range(weeks, 0, -1):
        start = monday - dt.timedelta(days=7 * n)
        run, _ = SettlementRun.objects.get_or_create(
            kind="agents",
            period_start=start,
            defaults={"period_end": start + dt.timedelta(days=7), "status": "done"},
        )
        payouts.append(
            Payout.objects.create(run=run, agent=agent_user.agent_profile, currency="INR")
        )
    return payouts


def test_the_earnings_page_shows_the_latest_statements_and_links_to_all(client, alice):
    payouts = _statements(alice, 30)
    client.force_login(alice)
    response = client.get(reverse("earnings:home"))
    assert [p.pk for p in response.context["statements"]] == [p.pk for p in payouts[::-1][:12]]
    assert reverse("earnings:statements") in response.content.decode()
    seen, cursor = [], None
    while True:
        page = client.get(reverse("earnings:statements"), {"cursor": cursor or ""}).context["page"]
        seen += [p.pk for p in page]
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert seen == [p.pk for p in payouts[::-1]]  # newest period first, every one once


def test_another_agents_statements_cursor_shows_only_ones_own(client, alice, bob):
    _statements(alice, 30)
    mine = _statements(bob, 2)
    client.force_login(alice)
    cursor = client.get(reverse("earnings:statements")).context["page"].next_cursor
    client.force_login(bob)
    page = client.get(reverse("earnings:statements"), {"cursor": cursor}).context["page"]
    assert {p.pk for p in page} <= {p.pk for p in mine}
    assert client.get(reverse("earnings:statements"), {"cursor": "x:y"}).status_code == 400


def test_open_earnings_are_every_period_no_finished_run_covers(alice, acme):
    from billing.selectors import agent_earnings_open

    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    weeks = {n: monday - dt.timedelta(days=7 * n) for n in (3, 2, 0)}
    rows = {n: ledger_row(alice, acme, day=day + dt.timedelta(days=1)) for n, day in weeks.items()}
    for n, status in [(3, "done"), (2, "failed")]:  # week -2's run failed: still owed
        SettlementRun.objects.create(
            kind="agents",
            period_start=weeks[n],
            period_end=weeks[n] + dt.timedelta(days=7),
            status=status,
        )
    shown = {t.pk for t in agent_earnings_open(agent=alice.agent_profile)["transactions"]}
    assert shown == {rows[2].pk, rows[0].pk}


def test_a_firms_invoice_cursor_shows_none_of_another_firms_invoices(
    client, carol, dave, acme, globex
):
    first = timezone.localdate().replace(day=1)
    for n in range(30):  # thirty months of acme's, two of globex's
        start = (first - dt.timedelta(days=31 * (n + 1))).replace(day=1)
        run = SettlementRun.objects.create(
            kind="firms",
            period_start=start,
            period_end=start + dt.timedelta(days=28),
            status="done",
        )
        Invoice.objects.create(run=run, firm=acme, kind="activity", currency="INR")
        if n < 2:
            Invoice.objects.create(run=run, firm=globex, kind="activity", currency="INR")
    client.force_login(carol)
    page = client.get(reverse("invoices:list")).context["page"]
    assert len(page) == 24 and page.has_next
    client.force_login(dave)
    shown = client.get(reverse("invoices:list"), {"cursor": page.next_cursor}).context["page"]
    assert {i.firm_id for i in shown} <= {globex.pk}
