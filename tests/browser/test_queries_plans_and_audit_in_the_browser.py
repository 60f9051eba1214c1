"""This issue's finance and agent pages in a real browser, at a phone's width and a desktop's:
fee plans, statement queries on both sides, and the audit log — none wider than the screen."""

import re

import pytest

from billing.disputes import dispute_open
from billing.models import FixedFeePlan
from tests.billing.factories import last_week, ledger_row, settle
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.conftest import STAFF_TOTP_SECRET, totp_now
from tests.factories import verified_agent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = (390, 1366)


@pytest.fixture
def queried(acme, globex):
    agent = verified_agent("meera@example.com", full_name="Meera Shenoy")
    ledger_row(agent, acme, agent_amount="108.00", client_amount="150.00", day=last_week())
    payout = settle("agents", last_week()).payouts.get()
    dispute_open(actor=agent.user, payout_id=payout.pk, body="Was the second call counted?")
    FixedFeePlan.objects.create(firm=globex, fee=150000, included_calls=2000, currency="INR")
    return agent, payout


def _fits(page, name: str, width: int, part: str = "") -> None:
    """The page (or, given `part`, that section of it) is no wider than the screen."""
    page.set_viewport_size({"width": width, "height": 900})
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"issue15-{name}-{width}.png"), full_page=True)
    if part:
        right = page.evaluate(f"document.querySelector('{part}').getBoundingClientRect().right")
        assert right <= width, name
    else:
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name


def test_finance_pages_fit_a_phone_and_a_desktop(page, live_server, fiona, queried):
    _agent, payout = queried
    sign_in(page, live_server.url, fiona.email)
    page.get_by_label("Code:", exact=True).fill(totp_now(STAFF_TOTP_SECRET))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/staff/finance/$"))
    pages = {
        "plans": ("/staff/finance/plans/", "Fixed-fee plans"),
        "plan": (f"/staff/finance/plans/{FixedFeePlan.objects.get().firm_id}/", "Fixed-fee plan:"),
        "queries": ("/staff/finance/disputes/", "Statement queries"),
        # The payout page's own tables are the page walk's (issue 15); the queries are ours.
        "payout": (f"/staff/finance/payouts/{payout.pk}/", "Statement queries"),
        "audit": ("/staff/audit/", "Audit log"),
    }
    for name, (path, heading) in pages.items():
        page.goto(f"{live_server.url}{path}")
        page.get_by_role("heading", name=heading).first.wait_for()
        for width in WIDTHS:
            _fits(
                page, name, width, "section[aria-labelledby=queries-heading]" * (name == "payout")
            )
    page.goto(f"{live_server.url}/staff/finance/payouts/{payout.pk}/")
    page.get_by_label("Answer").fill("Yes: both calls are on the statement.")
    page.get_by_role("button", name="Answer").click()
    page.get_by_text("Answered").first.wait_for()


def test_the_agents_statement_and_query_pages_fit_a_phone(page, live_server, queried):
    agent, payout = queried
    sign_in(page, live_server.url, agent.user.email)
    page.goto(f"{live_server.url}/agent/earnings/statements/{payout.pk}/query/")
    page.get_by_role("heading", name="Query your statement").wait_for()
    for width in WIDTHS:
        _fits(page, "agent-query", width)
    page.get_by_label("What is the query about?").select_option(index=1)  # the call's line
    page.get_by_label("Your question").fill("Was this call paid at my rate?")
    page.get_by_role("button", name="Send to finance").click()
    page.get_by_text("Your query is sent to finance.").wait_for()
    for width in WIDTHS:  # the statement's calls table is the page walk's (issue 15)
        _fits(page, "agent-statement", width, "section[aria-labelledby=queries-heading]")
