"""No dead ends, in Chromium on a phone and a desktop: a declined agent reads why, and applies again
after a correction; a firm ends an engagement through its confirmation page (no JavaScript
confirm(), nothing refused by the CSP)."""

import re

import pytest

from agents.models import AgentProfile
from clients import marketplace
from clients.models import Engagement
from tests.agents.test_rejected_and_suspended_agents_know_what_to_do import (  # noqa: F401
    _decline,
    _document,
    _private_media,
    ravi,
)
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.factories import StaffingRequestFactory, verified_agent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page, name: str, width: int) -> None:
    """No wider than the screen; the page as it stands is kept for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"no_dead_ends_{name}_{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


WIDTHS = pytest.mark.parametrize("width", [390, 1366])


@WIDTHS
def test_a_declined_agent_reads_why_and_applies_again(page, live_server, ravi, victor, width):  # noqa: F811
    _decline(ravi, victor)
    _document(ravi, "identity")  # the correction: a new identity proof
    page.set_viewport_size({"width": width, "height": 844 if width < 1000 else 900})
    sign_in(page, live_server.url, ravi.user.email)
    page.get_by_text("The identity scan is unreadable").wait_for()
    assert page.get_by_role("link", name="Upload a clear identity proof").is_visible()
    _fits(page, "declined_agent_home", width)
    page.get_by_role("button", name="Apply again").click()
    page.get_by_text("Sent again.").wait_for()
    ravi.refresh_from_db()
    assert ravi.status == AgentProfile.Status.IN_REVIEW


@WIDTHS
def test_a_firm_ends_an_engagement_through_its_confirmation_page(
    page, live_server, acme, carol, width
):
    request = StaffingRequestFactory(firm=acme, headcount=1, title="Claims desk")
    meera = verified_agent("meera@example.com", full_name="Meera Shenoy")
    app = marketplace.application_create(agent=meera, request=request)
    marketplace.application_decide(
        firm=acme, application_id=app.pk, approve=True, reason="", user=carol
    )
    page.set_viewport_size({"width": width, "height": 844 if width < 1000 else 900})
    sign_in(page, live_server.url, carol.email)
    page.goto(f"{live_server.url}/client/engagements/")
    page.get_by_role("button", name="End Meera Shenoy's engagement").click()
    page.wait_for_url(re.compile(r"/client/engagements/\d+/end/$"))
    page.get_by_text("Calls stop going to this agent").wait_for()
    _fits(page, "end_engagement_confirmation", width)
    assert Engagement.objects.get().status == "active"
    page.get_by_label("Reason").fill("Season over")
    page.get_by_role("button", name="End the engagement").click()
    page.get_by_text("Engagement ended.").wait_for()
    assert Engagement.objects.get().end_reason == "Season over"
