"""Earnings and invoices are each tenant's own: agents see theirs, firms theirs, nobody finance's.

Alice earns 17.31 on a call acme pays 40.00 for: the 17.31 (and the 22.69 margin) must never
reach acme's pages, and acme's 40.00 never alice's.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import FixedFeePlan
from tests.billing.factories import engaged, last_month, last_week, ledger_row, settle
from tests.factories import ClientFirmFactory, FirmMemberFactory

AGENT_ONLY = ("17.31", "22.69", "agent_rate")


@pytest.fixture
def settled(alice, bob, acme, globex):
    """Last week's payouts for alice and bob; last month's invoices for acme and globex."""
    profile = alice.agent_profile
    profile.bank_account, profile.bank_account_last4 = "123456789012", "9012"
    profile.save()
    engaged(alice, acme, agent_rate="17.31", client_rate="40.00")
    FixedFeePlan.objects.create(firm=globex, fee=Decimal("900.00"), currency="INR")
    ledger_row(alice, acme, agent_amount="17.31", client_amount="40.00", day=last_week())
    ledger_row(bob, globex, agent_amount="23.45", client_amount="30.00", day=last_week())
    ledger_row(alice, acme, agent_amount="17.31", client_amount="40.00", day=last_month())
    ledger_row(bob, globex, agent_amount="23.45", client_amount="30.00", day=last_month())
    payouts = settle("agents", last_week()).payouts.select_related("agent__user")
    invoices = settle("firms", last_month()).invoices.select_related("firm")
    return {p.agent.user: p for p in payouts} | {i.firm: i for i in invoices}


def test_an_agent_sees_only_their_own_earnings_this_period(client, alice, bob, acme, globex):
    ledger_row(alice, acme, agent_amount="17.31", client_amount="40.00")
    ledger_row(bob, globex, agent_amount="23.45", client_amount="30.00")
    client.force_login(alice)
    page = client.get(reverse("earnings:home")).content.decode()
    assert "17.31" in page and "Acme Insurance" in page
    assert "23.45" not in page and "Globex" not in page and "40.00" not in page


def test_an_agent_opens_their_own_statement_but_not_another_agents(client, alice, bob, settled):
    client.force_login(alice)
    home = client.get(reverse("earnings:home")).content.decode()
    assert reverse("earnings:statement", args=[settled[alice].pk]) in home
    assert reverse("earnings:statement", args=[settled[bob].pk]) not in home
    page = client.get(reverse("earnings:statement", args=[settled[alice].pk])).content.decode()
    assert "Alice Agent" in page and "•••• 9012" in page and "123456789012" not in page
    # Printable: a print button (static/js/print.js) and print styles in homeshore.css (CSP)
    assert "data-print" in page and "js/print.js" in page and "css/homeshore.css" in page
    assert "17.31" in page and "1.73" in page and "15.58" in page  # gross, TDS 10%, net
    assert "40.00" not in page  # what the firm paid stays with the agency
    other = reverse("earnings:statement", args=[settled[bob].pk])
    assert client.get(other).status_code == 404


def test_a_firm_sees_only_its_own_invoices(client, carol, acme, globex, settled):
    mine, theirs = settled[acme], settled[globex]
    client.force_login(carol)
    listing = client.get(reverse("invoices:list")).content.decode()
    assert mine.number in listing and theirs.number not in listing
    assert client.get(reverse("invoices:detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("invoices:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("invoices:download", args=[theirs.pk])).status_code == 404


def test_invoice_pages_and_downloads_never_show_agent_amounts(client, carol, acme, settled):
    invoice = settled[acme]
    client.force_login(carol)
    pages = [
        client.get(reverse(name, args=args))
        for name, args in [("invoices:list", []), ("invoices:detail", [invoice.pk])]
    ]
    download = client.get(reverse("invoices:download", args=[invoice.pk]))
    csv = b"".join(download.streaming_content).decode()
    assert "40.00" in pages[1].content.decode() and "40.00" in csv
    for text in [page.content.decode() for page in pages] + [csv]:
        assert not any(secret in text for secret in AGENT_ONLY)


def test_a_fixed_fee_invoice_shows_the_fee_and_no_per_call_amounts(client, dave, globex, settled):
    invoice = settled[globex]
    client.force_login(dave)
    page = client.get(reverse("invoices:detail", args=[invoice.pk])).content.decode()
    download = client.get(reverse("invoices:download", args=[invoice.pk]))
    csv = b"".join(download.streaming_content).decode()
    assert "900.00" in page and "Bob Agent" in page and "Bob Agent" in csv
    assert not any(amount in text for amount in ("30.00", "23.45") for text in (page, csv))


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_agents_and_clients_cannot_reach_the_finance_pages(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/staff/finance/").status_code == 403


def test_the_agent_home_shows_this_periods_earnings(client, alice, acme):
    ledger_row(alice, acme, agent_amount="17.31", client_amount="40.00")
    client.force_login(alice)
    page = client.get(reverse("agents:home")).content.decode()
    assert "Earnings" in page and "17.31" in page


def queries(client, user, url: str) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_earnings_page_takes_as_many_queries_for_ten_calls_as_for_one(client, alice, acme):
    ledger_row(alice, acme)
    one = queries(client, alice, reverse("earnings:home"))
    for _ in range(9):
        ledger_row(alice, acme)
    assert queries(client, alice, reverse("earnings:home")) == one


def test_the_invoice_page_takes_as_many_queries_for_ten_calls_as_for_one(
    client, alice, bob, carol, acme
):
    erin = FirmMemberFactory(firm=ClientFirmFactory(engagement_type="partial")).user
    ledger_row(alice, acme, day=last_month())
    for _ in range(10):
        ledger_row(bob, erin.firm_membership.firm, day=last_month())
    invoices = {i.firm_id: i.pk for i in settle("firms", last_month()).invoices.all()}
    ten, one = (
        reverse("invoices:detail", args=[invoices[user.firm_membership.firm_id]])
        for user in (erin, carol)
    )
    assert queries(client, erin, ten) == queries(client, carol, one)
