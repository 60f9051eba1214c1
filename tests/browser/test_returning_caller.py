"""The issue's second "done when": a returning caller goes to the same agent. Meera served a
caller three days ago; the caller calls the line again (through the signed Twilio voice
webhook, as Twilio would) while Meera and Sita, who is nearer, are both free. Meera's open
agent home shows the offer without a reload, Sita's does not, and the firm's call page says
the call went to the caller's last agent; the firm's admin changes the line's days on its
after-call page. Screenshots at 390 and 1366 px."""

import xml.etree.ElementTree as ET

import pytest
import requests
from django.urls import reverse
from twilio.request_validator import RequestValidator

from routing.models import Call
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.factories import PhoneLineFactory
from tests.routing.conftest import MADURAI, routable_agent, voice_params
from tests.routing.test_sticky_agent import RETURNING, served_before

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TOKEN = "browser-twilio-token"
# The agent's home carries the live workspace, polled every second; how soon the offer shows
# (the 2 s target) is bench/workspace_bench.py's to measure: here a functional wait.
OFFER_SHOWN_WITHIN_MS = 10_000


def twilio_voice(url: str, params: dict) -> ET.Element:
    """POST what Twilio posts when the caller dials, signed as Twilio signs it."""
    endpoint = f"{url}/telephony/twilio/voice/"
    signature = RequestValidator(TOKEN).compute_signature(endpoint, params)
    response = requests.post(
        endpoint, data=params, headers={"X-Twilio-Signature": signature}, timeout=10
    )
    assert response.status_code == 200, response.text
    return ET.fromstring(response.content)


def shots(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(
            path=str(ARTIFACTS / f"returning_caller_{name}_{width}.png"), full_page=True
        )


def test_a_returning_caller_rings_their_last_agent_first(
    browser, page, live_server, settings, acme, carol
):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    line = PhoneLineFactory(firm=acme, name="Claims helpline", sticky_days=30)
    meera = routable_agent(
        acme, "meera@example.com", lat=MADURAI[0], lon=MADURAI[1], full_name="Meera Rao"
    )
    sita = routable_agent(acme, "sita@example.com", full_name="Sita Shetty")  # nearer
    served_before(line, meera, days_ago=3)

    sign_in(page, live_server.url, meera.user.email)
    page.goto(f"{live_server.url}/agent/")
    page.get_by_text("No call right now.").wait_for()
    other = browser.new_context(viewport={"width": 1280, "height": 900})
    sita_page = other.new_page()
    sign_in(sita_page, live_server.url, sita.user.email)
    sita_page.goto(f"{live_server.url}/agent/")
    sita_page.get_by_text("No call right now.").wait_for()

    dial = twilio_voice(live_server.url, voice_params(line, "CA-back", caller=RETURNING))
    assert dial.find("Dial/Number").text == str(meera.phone)

    page.get_by_text("Your phone is ringing").wait_for(timeout=OFFER_SHOWN_WITHIN_MS)
    assert "Claims helpline" in page.locator("#workspace").inner_text()
    sita_page.reload()
    sita_page.get_by_text("No call right now.").wait_for()
    other.close()
    shots(page, "agent")

    firm = browser.new_context(viewport={"width": 1280, "height": 900})
    firm_page = firm.new_page()
    sign_in(firm_page, live_server.url, carol.email)
    call = Call.objects.get(provider_call_id="CA-back")
    firm_page.goto(f"{live_server.url}{reverse('calls:detail', args=[call.pk])}")
    outcome = firm_page.locator(".sticky-outcome")
    outcome.wait_for()
    assert "offered to their last agent" in outcome.inner_text()
    assert "Meera Rao" in outcome.inner_text()
    shots(firm_page, "firm")
    # Where the firm set it: the line's page links to its after-call settings.
    firm_page.goto(f"{live_server.url}{reverse('clients:line', args=[line.pk])}")
    firm_page.get_by_role("link", name="Survey, returning callers and escalation number").click()
    days = firm_page.get_by_label("Returning callers go to their last agent for (days)")
    assert days.input_value() == "30"
    days.fill("14")
    firm_page.get_by_role("button", name="Save after-call settings").click()
    firm_page.get_by_text("After-call settings saved.").wait_for()
    line.refresh_from_db()
    assert line.sticky_days == 14
    firm_page.goto(f"{live_server.url}{reverse('clients:line_after_call', args=[line.pk])}")
    shots(firm_page, "settings")
    firm.close()
