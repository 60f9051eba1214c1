"""The issue's first "done when", in a real browser: an agent on duty has the calls page
open; a call arrives through the signed Twilio voice webhook and appears within 2 s, with the
firm's context about the caller and the line's script; the agent answers, the call ends, the
wrap-up form appears and the agent submits a disposition and notes; the firm then reads them
on the call's page. At 1366 and 390 px."""

import xml.etree.ElementTree as ET

import pytest
import requests
from twilio.request_validator import RequestValidator

from clients.models import Contact, ContactNumber, ContextSource
from clients.scripts import dispositions_seed, script_save
from routing.models import Call
from tests.browser.conftest import ARTIFACTS, sign_in, sign_out
from tests.factories import PhoneLineFactory
from tests.routing.conftest import LANDLINE_MANGALURU, routable_agent, voice_params

# Longer than the poll's 1 s by far: a functional wait, not the speed target.
OFFER_WAIT_MS = 10_000
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TOKEN = "test-twilio-auth-token"


def twilio(url: str, params: dict) -> requests.Response:
    """POST to the live server as Twilio does: form-encoded and signed over the full URL."""
    signature = RequestValidator(TOKEN).compute_signature(url, params)
    response = requests.post(
        url, data=params, headers={"X-Twilio-Signature": signature}, timeout=10
    )
    assert response.status_code in {200, 204}, response.text
    return response


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"agent_workspace_{name}.png"), full_page=True)


def fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1366, 390])
def test_an_agent_sees_the_offer_with_context_and_script_and_wraps_it_up(
    page, live_server, settings, acme, carol, width
):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    line = PhoneLineFactory(
        firm=acme,
        name="Claims helpline",
        wrap_up_seconds=120,
        context_source=ContextSource.CONTACTS,
        context_fields=["name", "policy", "open_claim"],
    )
    dispositions_seed(line)
    script_save(
        actor=carol,
        line=line,
        language="",
        body="## Greeting\n\nThank you for calling **Acme Insurance**.\n\n"
        "1. Confirm the policy number\n2. Ask about the claim\n\n> Never read out bank details.",
    )
    priya = Contact.objects.create(
        firm=acme,
        name="Priya Rao",
        fields={"policy": "ACM-20411", "open_claim": "CL-88 (car, 12 Nov)", "aadhaar": "hidden"},
    )
    ContactNumber.objects.create(contact=priya, firm=acme, number=LANDLINE_MANGALURU)
    sita = routable_agent(acme, "sita@example.com")

    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, sita.user.email)
    page.get_by_role("link", name="Calls").first.click()
    page.get_by_text("No call right now").wait_for()

    # The call arrives: Twilio posts the voice webhook; the <Dial> rings Sita's phone.
    reply = twilio(f"{live_server.url}/telephony/twilio/voice/", voice_params(line, "CA1"))
    dial = ET.fromstring(reply.content).find("Dial")
    assert dial.find("Number").text == str(sita.phone)
    # Without a reload: the page's own poll brings the offer. How soon (the 2 s target) is
    # measured by bench/workspace_bench.py, not timed here (a loaded CI machine is no gauge).
    page.get_by_role("heading", name="Your phone is ringing — Claims helpline").wait_for(
        timeout=OFFER_WAIT_MS
    )
    workspace = page.locator("#workspace")
    text = workspace.inner_text()
    assert "Acme Insurance" in text and "English" in text and "Mangaluru" in text
    assert "Priya Rao" in text and "ACM-20411" in text and "CL-88" in text
    assert "hidden" not in text and LANDLINE_MANGALURU not in text  # fields not chosen; masked
    assert workspace.get_by_role("heading", name="Greeting").is_visible()
    assert "Confirm the policy number" in text
    fits(page, width)
    shot(page, f"offer_{width}")

    # Sita answers (the agent leg's status callback), talks, and the <Dial> reports the end.
    call = Call.objects.get(provider_call_id="CA1")
    leg = voice_params(line, "CA1-agent", ParentCallSid="CA1", CallStatus="in-progress")
    twilio(f"{live_server.url}/telephony/twilio/status/?call={call.pk}&leg=agent", leg)
    page.get_by_role("heading", name="On a call — Claims helpline").wait_for(timeout=3000)
    ended = voice_params(line, "CA1", CallStatus="in-progress")
    twilio(dial.get("action"), ended | {"DialCallStatus": "completed", "DialCallDuration": "184"})

    page.get_by_role("heading", name="Wrap-up — Claims helpline").wait_for(timeout=3000)
    page.get_by_text("s left to record the call").wait_for()
    page.get_by_label("Disposition").select_option(label="Callback needed")
    page.get_by_label("Notes").fill("Claim CL-88: wants the surveyor's visit moved to Friday.")
    fits(page, width)
    shot(page, f"wrap_up_{width}")
    page.get_by_role("button", name="Save wrap-up").click()
    page.get_by_text("Wrap-up saved").wait_for()
    page.get_by_text("No call right now").wait_for()
    call.refresh_from_db()
    assert (call.wrap_up, call.disposition.code, call.talk_seconds) == ("submitted", "CB", 184)

    # The firm reads the outcome on the call's page.
    sign_out(page, live_server.url)
    sign_in(page, live_server.url, carol.email)
    page.goto(f"{live_server.url}/client/calls/{call.pk}/")
    page.get_by_role("heading", name="Wrap-up").wait_for()
    body = page.locator("main").inner_text()
    assert "Callback needed" in body
    assert "Claim CL-88: wants the surveyor's visit moved to Friday." in body
    assert "Script shown to the agent: version 1" in body
    fits(page, width)
    shot(page, f"firm_call_{width}")
