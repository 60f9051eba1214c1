"""Digits that str.isdecimal() accepts but that are not ASCII (Devanagari, Arabic-Indic…):
hmac.compare_digest refuses to compare non-ASCII str and raised TypeError, a 500 on a voice
webhook (Twilio then says "an application error has occurred"). Such a code is just wrong."""

import pytest

from routing.services import bridge_claim
from tests.routing.conftest import twilio_post, twiml

pytestmark = pytest.mark.django_db

DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")


@pytest.mark.parametrize("part", ["mac", "call", "all"])
def test_a_code_in_devanagari_digits_is_no_code(part):
    ascii_code = "12*1*12345678"
    call_id, attempt, mac = ascii_code.split("*")
    code = {
        "mac": f"{call_id}*{attempt}*{mac.translate(DEVANAGARI)}",
        "call": f"{call_id.translate(DEVANAGARI)}*{attempt}*{mac}",
        "all": ascii_code.translate(DEVANAGARI),
    }[part]
    assert bridge_claim(code=code) is None


def test_the_bridge_hangs_up_on_devanagari_digits(client):
    params = {"CallSid": "CAdeva", "To": "+918046000000", "Digits": "१*१*१२३४५६७८#"}
    response = twilio_post(client, "/telephony/twilio/bridge/", params)
    assert response.status_code == 200
    root = twiml(response)
    assert root.find("Dial") is None and root.find("Hangup") is not None
