"""The payouts page at 390 px (a phone): the eight-column table scrolls inside its own box;
the page itself does not grow wider than the screen (it was 791 px wide, and the header,
filters and the approve button sat in the left half with the table cut off at the right)."""

import re

import pytest

from tests.billing.factories import last_week, ledger_row, settle
from tests.browser.conftest import sign_in
from tests.conftest import STAFF_TOTP_SECRET, totp_now
from tests.factories import verified_agent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_payouts_page_is_no_wider_than_a_phone(page, live_server, fiona, acme):
    for name in ("Karthik Subramanian", "Meera Shenoy"):
        agent = verified_agent(f"{name.split()[0].lower()}@example.com", full_name=name)
        ledger_row(agent, acme, agent_amount="108.00", client_amount="150.00", day=last_week())
    settle("agents", last_week())
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, fiona.email)
    page.get_by_label("Code:", exact=True).fill(totp_now(STAFF_TOTP_SECRET))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/staff/finance/$"))

    page.goto(f"{live_server.url}/staff/finance/payouts/")
    page.get_by_text("Karthik Subramanian").wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390


@pytest.mark.parametrize(
    ("persona", "path", "shown"),
    [
        # The firm's two tables (per line, 614 px; calls, 695 px) widened the page to 711 px.
        ("carol", "/client/calls/", "By line"),
        ("carol", "/client/calls/history/", "Call history"),
        ("agent", "/agent/earnings/statements/", "Statements"),  # 412 px, even when empty
    ],
)
def test_the_calls_and_statements_pages_are_no_wider_than_a_phone(
    page, live_server, request, persona, path, shown
):
    if persona == "agent":
        user = verified_agent("sita@example.com").user  # earnings are for verified agents
    else:
        user = request.getfixturevalue(persona)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}{path}")
    page.get_by_role("heading", name=shown).first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
