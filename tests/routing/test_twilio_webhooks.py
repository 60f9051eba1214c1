"""Twilio's voice webhook: signatures, the TwiML each situation gets, retries, bad input."""

import datetime as dt

import pytest
from django.utils import timezone
from twilio.request_validator import RequestValidator

from routing.models import Call, ProviderRequest, RoutingDecision
from tests.factories import PhoneLineFactory
from tests.routing.conftest import (
    STATUS,
    VOICE,
    routable_agent,
    twilio_post,
    twilio_signature,
    twiml,
    voice_params,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(acme):
    return PhoneLineFactory(firm=acme, ring_timeout_seconds=25)


def test_a_request_without_a_signature_is_refused_and_records_nothing(client, line):
    response = client.post(VOICE, voice_params(line))
    assert response.status_code == 403
    assert not Call.objects.exists() and not ProviderRequest.objects.exists()


def test_a_request_signed_with_another_token_or_other_params_is_refused(client, line):
    params = voice_params(line)
    other_token = RequestValidator("someone-elses-token").compute_signature(
        "http://testserver" + VOICE, params
    )
    tampered = twilio_signature(VOICE, params | {"To": "+918040009999"})
    for signature in (other_token, tampered):
        assert twilio_post(client, VOICE, params, signature=signature).status_code == 403
    assert not Call.objects.exists() and not ProviderRequest.objects.exists()


def test_a_call_to_a_number_we_dont_have_hears_not_in_service(client, line):
    response = twiml(twilio_post(client, VOICE, voice_params(line, To="+918049999999")))
    assert "not in service" in response.find("Say").text
    assert response.find("Hangup") is not None and not Call.objects.exists()


def test_a_single_language_line_dials_the_agents_phone_from_the_line_number(client, acme, line):
    sita = routable_agent(acme, "sita@example.com")
    dial = twiml(twilio_post(client, VOICE, voice_params(line))).find("Dial")
    assert dial.find("Number").text == str(sita.phone)
    assert dial.get("callerId") == str(line.number)
    assert dial.get("timeout") == "25"
    call = Call.objects.get()
    assert f"call={call.pk}" in dial.get("action")
    assert (call.status, call.agent, call.origin_source) == ("offered", sita, "geocoder")


def test_a_multi_language_line_asks_for_a_language_then_dials_on_the_digit(client, acme):
    line = PhoneLineFactory(firm=acme, languages=["en", "kn"])
    routable_agent(acme, "ravi@example.com")
    sita = routable_agent(acme, "sita@example.com", languages=("kn",))
    menu = twiml(twilio_post(client, VOICE, voice_params(line)))
    says = [say.text for say in menu.find("Gather").findall("Say")]
    # Each option in its own language (issue 12: "For Kannada, press 2" read in English was
    # the bug); tests/routing/test_caller_hears_their_language.py checks the voices.
    assert says[1:] == ["For English, press 1.", "ಕನ್ನಡಕ್ಕಾಗಿ 2 ಒತ್ತಿ."]
    assert Call.objects.get().status == "menu"
    dialled = twiml(twilio_post(client, VOICE, voice_params(line, Digits="2")))
    assert dialled.find("Dial/Number").text == str(sita.phone)
    assert Call.objects.get().language == "kn"


def _closed_today(line):
    today = timezone.localdate().weekday()
    line.business_days = "".join(str(d) for d in range(7) if d != today)


def _closed_now(line):
    line.opens_at, line.closes_at = (
        (dt.time(0), dt.time(1)) if timezone.localtime().hour >= 12 else (dt.time(22), dt.time(23))
    )


@pytest.mark.parametrize("close", [_closed_today, _closed_now], ids=["day", "hours"])
def test_outside_business_hours_the_caller_hears_the_hours_and_nothing_rings(
    client, acme, line, close
):
    close(line)
    line.save()
    routable_agent(acme, "sita@example.com")
    response = twiml(twilio_post(client, VOICE, voice_params(line)))
    assert "We are open from" in response.find("Say").text
    assert response.find("Hangup") is not None and response.find("Dial") is None
    assert Call.objects.get().status == "after_hours"
    assert not RoutingDecision.objects.exists()


def test_with_nobody_free_the_caller_holds_then_past_the_max_wait_leaves_a_message(client, line):
    hold = twiml(twilio_post(client, VOICE, voice_params(line)))
    assert hold.find("Pause") is not None
    assert "wait=2" in hold.find("Redirect").text
    assert Call.objects.get().status == "queued"
    line.max_wait_seconds = 0
    line.save()
    again = twiml(twilio_post(client, hold.find("Redirect").text, voice_params(line)))
    assert "/telephony/twilio/recording/" in again.find("Record").get("action")


def test_a_retried_voice_request_gets_the_same_answer_and_changes_nothing(client, acme, line):
    routable_agent(acme, "sita@example.com")
    routable_agent(acme, "ravi@example.com")
    first = twilio_post(client, VOICE, voice_params(line))
    second = twilio_post(client, VOICE, voice_params(line))
    assert first.content == second.content
    assert Call.objects.count() == RoutingDecision.objects.count() == 1
    assert ProviderRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("path", "params"),
    [
        (VOICE, {"CallSid": ""}),
        (VOICE + "?wait=soon", {}),
        (VOICE, {"From": "anonymous"}),
        (VOICE, {"To": "not-a-number"}),
        (STATUS + "?call=1&leg=agent", {"ParentCallSid": "CA-nope", "CallStatus": "in-progress"}),
    ],
    ids=["no-callsid", "bad-wait", "anonymous-caller", "bad-to", "unknown-agent-leg"],
)
def test_odd_requests_never_crash(client, line, path, params):
    response = twilio_post(client, path, voice_params(line) | params)
    assert response.status_code in {200, 400}, response.content
    if response.status_code == 400:
        assert not Call.objects.exists() and not ProviderRequest.objects.exists()
