"""An agent's outbound call in a real browser, on a phone and a laptop: the next contact in
preview (masked number, the campaign's fields, the script), Call, the attempt followed as
the provider's events are played (agent answered, contact answered, the dial ended
connected), then the wrap-up on the workspace with a callback time, and the callback listed
on the outbound page. No page is wider than the screen. Screenshots: var/screens/."""

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import pytest
from django.utils import timezone

from campaigns import events
from campaigns.models import Attempt, CampaignContact
from tests.browser.conftest import sign_in
from tests.campaigns.agent_outbound import *  # noqa: F403  (the fixtures)
from tests.campaigns.agent_outbound import NUMBER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"


@pytest.fixture(autouse=True)
def suppression_stand_in(monkeypatch):
    # campaigns.imports.suppression_add is another helper's and not on main yet; the
    # disposition handler imports it for every code.
    from campaigns import imports

    monkeypatch.setattr(imports, "suppression_add", lambda **kwargs: None, raising=False)


def shot(page, width: int, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"outbound-{name}-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [390, 1366])
def test_an_agent_previews_calls_and_disposes(page, live_server, meera, line, campaign, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, meera.user.email)
    page.goto(f"{live_server.url}/agent/outbound/")
    page.get_by_text("Next: Asha Rao").wait_for()
    assert "+91••••••45" in page.content() and NUMBER not in page.content()
    assert "Gold" in page.content() and "ABCDE1234F" not in page.content()
    shot(page, width, "preview")

    page.get_by_role("button", name="Call", exact=True).click()
    page.get_by_text("Answer your phone").wait_for()
    attempt = Attempt.objects.get()
    shot(page, width, "calling-agent")
    events.attempt_agent_answered(attempt_id=attempt.pk)
    page.locator(".step-current", has_text="Calling the contact…").wait_for()
    events.attempt_contact_answered(attempt_id=attempt.pk)
    page.locator(".step-current", has_text="Talking").wait_for()
    shot(page, width, "talking")
    events.attempt_dial_ended(attempt_id=attempt.pk, outcome="connected", talk_seconds=80)

    page.wait_for_url(re.compile(r"/agent/calls/workspace/"))
    page.get_by_text("Policy renewals").first.wait_for()
    callback_at = page.get_by_label("Call back at")
    assert not callback_at.is_visible()  # shown with a callback code only
    page.get_by_label("Disposition").select_option(label="Callback needed")
    assert callback_at.is_visible()
    when = (timezone.now() + dt.timedelta(days=1)).astimezone(zoneinfo.ZoneInfo(meera.time_zone))
    callback_at.fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Notes").fill("Renewal after payday; call back tomorrow.")
    shot(page, width, "wrap-up")
    page.get_by_role("button", name="Save wrap-up").click()

    page.wait_for_url(re.compile(r"/agent/outbound/$"))
    page.locator("#scheduled-callbacks").get_by_text("Asha Rao").wait_for()
    shot(page, width, "callback-scheduled")
    target = CampaignContact.objects.get()
    assert target.agent_id == meera.pk and target.state == CampaignContact.State.PENDING
