"""The agency's bridge number: a firm's PBX dials it with the call API's one-time code and
Twilio (the agency's account) connects it to the reserved agent. Forged, stale and reused
codes hear a hang-up."""

import pytest

from clients.services import api_key_create
from routing.models import Call
from routing.services import bridge_code_for
from tests.routing.conftest import api_event, api_route, routable_agent, twilio_post, twiml

pytestmark = pytest.mark.django_db

BRIDGE_PATH = "/telephony/twilio/bridge/"


@pytest.fixture
def offered(client, acme, carol, line, settings):
    """A call acme's PBX routed with its own key: offered to sita, answer with a code."""
    settings.ROUTING_BRIDGE_NUMBER = "+918046000000"
    sita = routable_agent(acme, "sita@example.com")
    _key, raw = api_key_create(firm=acme, user=carol, name="PBX")
    client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {raw}"
    body = api_route(client, line).json()
    del client.defaults["HTTP_AUTHORIZATION"]
    return sita, body["bridge_code"]


def _bridge(client, digits: str, sid: str = "CAbridge1"):
    params = {"CallSid": sid, "From": "+918040000001", "To": "+918046000000", "Digits": digits}
    return twilio_post(client, BRIDGE_PATH, params)


def test_the_bridge_first_gathers_the_code_without_a_word(client):
    root = twiml(twilio_post(client, BRIDGE_PATH, {"CallSid": "CAb", "To": "+918046000000"}))
    gather = root.find("Gather")
    assert gather.get("finishOnKey") == "#" and gather.find("Say") is None


def test_the_right_code_dials_the_agent_from_the_agencys_account(client, line, offered):
    sita, code = offered
    dial = twiml(_bridge(client, code + "#")).find("Dial")
    assert dial.find("Number").text == str(sita.phone)
    assert dial.get("callerId") == str(line.number)


def test_a_code_works_once(client, offered):
    _sita, code = offered
    assert twiml(_bridge(client, code)).find("Dial") is not None
    again = twiml(_bridge(client, code, sid="CAbridge2"))
    assert again.find("Dial") is None and again.find("Hangup") is not None


@pytest.mark.parametrize("tamper", ["mac", "call", "attempt", "garbage"])
def test_a_forged_code_hears_a_hang_up(client, offered, tamper):
    _sita, code = offered
    call_id, attempt, mac = code.split("*")
    forged = {
        "mac": f"{call_id}*{attempt}*{(int(mac) + 1) % 10**8:08d}",
        "call": f"{int(call_id) + 1}*{attempt}*{mac}",
        "attempt": f"{call_id}*{int(attempt) + 1}*{mac}",
        "garbage": "1234",
    }[tamper]
    root = twiml(_bridge(client, forged))
    assert root.find("Dial") is None and root.find("Hangup") is not None


def test_a_code_for_an_offer_that_moved_on_is_stale(client, acme, carol, offered):
    _sita, code = offered
    call = Call.objects.get()
    _key, raw = api_key_create(firm=acme, user=carol, name="PBX2")
    client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {raw}"
    api_event(client, "EX1", "answered", attempt=1)
    del client.defaults["HTTP_AUTHORIZATION"]
    call.refresh_from_db()
    assert call.status == "in_progress" and bridge_code_for(call) == code
    assert twiml(_bridge(client, code)).find("Dial") is None


def test_the_bridge_is_signed_like_every_twilio_webhook(client, offered):
    _sita, code = offered
    params = {"CallSid": "CAx", "Digits": code}
    assert twilio_post(client, BRIDGE_PATH, params, signature="forged").status_code == 403
