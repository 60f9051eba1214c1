"""Twilio's reports of one answered call, in any order, repeated, retried late: the call ends
completed, billed once, with the talk's length from the <Dial>'s report (55 s here)."""

import pytest

from billing.models import Transaction
from routing.models import Call
from tests.factories import PhoneLineFactory
from tests.routing.conftest import STATUS, VOICE, routable_agent, twilio_post, twiml, voice_params

pytestmark = pytest.mark.django_db


def reports(line, call: Call, action: str) -> dict:
    """Each report Twilio may send about the call once it is offered, as (url, params)."""
    return {
        "answered": (  # the agent's leg picked up
            f"{STATUS}?call={call.pk}&leg=agent",
            voice_params(line, "CA-agent", ParentCallSid="CA1", CallStatus="in-progress"),
        ),
        "dial": (  # the <Dial> ended: how long the agent talked
            action,
            voice_params(line, CallStatus="in-progress", DialCallStatus="completed")
            | {"DialCallDuration": "55"},
        ),
        "status": (  # the caller's leg ended (its duration counts the wait too)
            STATUS,
            voice_params(line, CallStatus="completed", CallDuration="80"),
        ),
    }


ORDERS = [
    ["answered", "dial", "status"],
    ["answered", "status", "dial"],  # the caller's end first: not our clock, the provider's
    ["dial", "answered", "status"],  # completed before answered
    ["status", "dial"],  # "answered" lost, the caller's end before the dial's
    ["dial", "status"],
    ["status", "answered", "dial"],
    ["dial", "dial", "status", "status", "answered"],  # repeats
    ["answered", "dial", "status", "dial", "answered", "status"],  # late retries
]


@pytest.mark.parametrize("order", ORDERS, ids=["-".join(o) for o in ORDERS])
def test_the_call_ends_completed_and_billed_once_whatever_the_order(client, acme, order):
    line = PhoneLineFactory(firm=acme, wrap_up_seconds=30)
    sita = routable_agent(acme, "sita@example.com")
    action = twiml(twilio_post(client, VOICE, voice_params(line))).find("Dial").get("action")
    call = Call.objects.get()
    sent = reports(line, call, action)
    for name in order:
        url, params = sent[name]
        assert twilio_post(client, url, params).status_code in {200, 204}
    call.refresh_from_db()
    sita.refresh_from_db()
    assert (call.status, call.talk_seconds, call.agent) == ("completed", 55, sita)
    assert sita.duty_status == "wrap_up"
    assert Transaction.objects.filter(call=call).count() == 1


def test_a_caller_who_leaves_while_the_agent_rings_frees_the_agent_without_a_strike(
    client, acme, line
):
    sita = routable_agent(acme, "sita@example.com")
    action = twiml(twilio_post(client, VOICE, voice_params(line))).find("Dial").get("action")
    twilio_post(client, STATUS, voice_params(line, CallStatus="completed", CallDuration="12"))
    call = Call.objects.get()
    assert call.status == "offered" and call.caller_left_at is not None  # the dial's word next
    twilio_post(client, action, voice_params(line, DialCallStatus="no-answer"))
    call.refresh_from_db()
    sita.refresh_from_db()
    assert (call.status, call.agent) == ("abandoned", None)
    assert (sita.duty_status, sita.no_answer_strikes) == ("available", 0)
