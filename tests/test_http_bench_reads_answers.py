"""bench/http_bench.py tells what a caller hears from the TwiML the app itself writes: a hold
loop counts as held, a <Dial> as an agent, anything unreadable as an error."""

import pytest
from django.test import RequestFactory

from agents.models import AgentProfile
from bench.http_bench import answer_kind
from routing import twiml
from routing.models import Call
from tests.factories import PhoneLineFactory

pytestmark = pytest.mark.django_db

REQUEST = RequestFactory().post("/telephony/twilio/voice/")


@pytest.fixture
def call():
    # The line is saved: what a caller hears reads its languages and its own wording.
    line = PhoneLineFactory(number="+918046000000", languages=["en"])
    agent = AgentProfile(phone="+919800000001")
    return Call(pk=7, line=line, firm=line.firm, language="en", agent=agent, attempts=1)


def kind(response) -> str:
    return answer_kind(200, str(response).encode())


def test_it_reads_the_hold_loop_as_held_every_time_round(call):
    assert kind(twiml.hold(REQUEST, call, wait=1)) == "hold"
    assert kind(twiml.hold(REQUEST, call, wait=2)) == "hold"  # no <Say> after the first


def test_it_reads_a_dial_as_an_agent(call):
    assert kind(twiml.dial(REQUEST, call)) == "dial"


def test_it_reads_the_message_prompt_as_voicemail(call):
    assert kind(twiml.voicemail(REQUEST, call)) == "voicemail"


def test_it_reads_a_hang_up_as_neither():
    assert kind(twiml.not_in_service()) == "other"


def test_it_counts_a_server_error_or_a_body_that_is_not_twiml_as_an_error():
    assert answer_kind(500, b"<Response/>") == "error: HTTP 500"
    assert answer_kind(200, b"<html>Server Error</html>") == "error: not TwiML"
    assert answer_kind(200, b"Internal Server Error") == "error: not TwiML"
