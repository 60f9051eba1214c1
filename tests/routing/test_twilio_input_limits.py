"""Input Twilio — or someone with a copy of a signature — can send: a 400 or valid TwiML,
never a 500. Runs on SQLite and on PostgreSQL (which refuses NUL bytes and long values)."""

import pytest
from django.http import QueryDict
from twilio.request_validator import RequestValidator

from routing.models import Call
from tests.routing.conftest import (
    STATUS,
    TWILIO_TOKEN,
    VOICE,
    routable_agent,
    twilio_post,
    twiml,
    voice_params,
)

pytestmark = pytest.mark.django_db

GARBLED = {
    "callsid-65": {"CallSid": "CA" + "1" * 63},
    "caller-129": {"From": "+91" + "8" * 126},
    "nul-in-callsid": {"CallSid": "CA1\x00"},
    "nul-in-caller": {"From": "+91824244\x000000"},
    "nul-in-a-key": {"Fr\x00om": "+918242440000"},
    "city-huge": {"FromCity": "M" * 5000},
}


@pytest.mark.parametrize("path", [VOICE, STATUS, "/telephony/twilio/dial-status/?call=1"])
@pytest.mark.parametrize("garbled", GARBLED.values(), ids=GARBLED.keys())
def test_garbled_input_is_a_400_that_records_nothing(client, line, path, garbled):
    response = twilio_post(client, path, voice_params(line) | garbled)
    assert response.status_code == 400, response.content
    assert not Call.objects.exists()


def test_repeated_keys_signed_over_every_value_are_answered(client, acme, line):
    sita = routable_agent(acme, "sita@example.com")
    body = QueryDict(mutable=True)
    body.update(voice_params(line))
    body.appendlist("FromCountry", "US")  # Twilio signs both values, sorted
    signature = RequestValidator(TWILIO_TOKEN).compute_signature("http://testserver" + VOICE, body)
    response = client.post(
        VOICE,
        body.urlencode(),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
    )
    assert twiml(response).find("Dial/Number").text == str(sita.phone)


def test_behind_a_proxy_that_rewrites_host_the_public_url_is_what_is_signed(
    client, acme, line, settings
):
    settings.TWILIO_PUBLIC_BASE_URL = "https://portal.example.com"
    routable_agent(acme, "sita@example.com")
    params = voice_params(line)
    public = RequestValidator(TWILIO_TOKEN).compute_signature(
        "https://portal.example.com" + VOICE, params
    )
    internal = RequestValidator(TWILIO_TOKEN).compute_signature("http://testserver" + VOICE, params)
    assert twilio_post(client, VOICE, params, signature=internal).status_code == 403
    dial = twiml(twilio_post(client, VOICE, params, signature=public)).find("Dial")
    assert dial.get("action").startswith("https://portal.example.com/telephony/twilio/")
