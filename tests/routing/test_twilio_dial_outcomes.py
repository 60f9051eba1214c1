"""What Twilio tells us after the <Dial>: answered, rang out, hung up, left a message, garbled."""

import pytest

from agents.models import AgentProfile
from routing.models import Call, ProviderRequest
from tests.factories import PhoneLineFactory
from tests.routing.conftest import (
    MADURAI,
    STATUS,
    VOICE,
    routable_agent,
    twilio_post,
    twiml,
    voice_params,
)

pytestmark = pytest.mark.django_db


def offer(client, line, sid="CA1") -> tuple[Call, str]:
    """Dial in; returns the call and the <Dial> action URL Twilio reports back to."""
    dial = twiml(twilio_post(client, VOICE, voice_params(line, sid))).find("Dial")
    return Call.objects.get(provider_call_id=sid), dial.get("action")


def dial_status(client, action, line, sid="CA1", **params):
    return twilio_post(client, action, voice_params(line, sid, CallStatus="in-progress") | params)


def duty(agent) -> tuple[str, int]:
    agent.refresh_from_db()
    return agent.duty_status, agent.no_answer_strikes


@pytest.mark.parametrize(("wrap_up", "after"), [(30, "wrap_up"), (0, "available")])
def test_a_completed_dial_closes_the_call_and_the_agent_wraps_up(client, acme, wrap_up, after):
    line = PhoneLineFactory(firm=acme, wrap_up_seconds=wrap_up)
    sita = routable_agent(acme, "sita@example.com")
    call, action = offer(client, line)
    reply = dial_status(client, action, line, DialCallStatus="completed", DialCallDuration="95")
    assert twiml(reply).find("Hangup") is not None
    call.refresh_from_db()
    assert (call.status, call.talk_seconds, call.agent) == ("completed", 95, sita)
    assert duty(sita)[0] == after


def test_an_unanswered_dial_strikes_the_agent_and_rings_the_next_nearest(client, acme, line):
    sita = routable_agent(acme, "sita@example.com")
    ravi = routable_agent(acme, "ravi@example.com", lat=MADURAI[0], lon=MADURAI[1])
    call, action = offer(client, line)
    reply = twiml(dial_status(client, action, line, DialCallStatus="no-answer"))
    assert reply.find("Dial/Number").text == str(ravi.phone)
    assert duty(sita) == ("available", 1)
    call.refresh_from_db()
    assert (call.agent, call.attempts, call.tried_agent_ids) == (ravi, 2, [sita.pk])


def ring_out(client, line, sid):
    """A call rings the agent, nobody answers, the caller holds, then hangs up."""
    _call, action = offer(client, line, sid)
    hold = twiml(dial_status(client, action, line, sid, DialCallStatus="no-answer"))
    assert hold.find("Pause") is not None
    twilio_post(client, STATUS, voice_params(line, sid, CallStatus="completed"))


def test_three_calls_in_a_row_left_ringing_take_the_agent_offline(client, acme, line):
    sita = routable_agent(acme, "sita@example.com")
    ring_out(client, line, "CA1")
    ring_out(client, line, "CA2")
    assert duty(sita) == ("available", 2)
    ring_out(client, line, "CA3")
    assert duty(sita) == ("offline", 3)
    assert "missed 3 calls in a row" in sita.duty_notice


def test_an_answered_call_in_between_starts_the_count_of_missed_calls_again(client, acme, line):
    sita = routable_agent(acme, "sita@example.com")
    ring_out(client, line, "CA1")
    _call, action = offer(client, line, "CA2")
    dial_status(client, action, line, "CA2", DialCallStatus="completed", DialCallDuration="60")
    AgentProfile.objects.filter(pk=sita.pk).update(duty_status="available")  # wrap-up over
    ring_out(client, line, "CA3")
    ring_out(client, line, "CA4")
    assert duty(sita) == ("available", 2)


def test_after_the_attempt_limit_the_caller_leaves_a_message(client, acme, line, settings):
    settings.ROUTING_MAX_ATTEMPTS = 2
    for name in ("sita", "ravi", "anil"):
        routable_agent(acme, f"{name}@example.com")
    _call, action = offer(client, line)
    action = (
        twiml(dial_status(client, action, line, DialCallStatus="busy")).find("Dial").get("action")
    )
    reply = twiml(dial_status(client, action, line, DialCallStatus="no-answer"))
    assert reply.find("Dial") is None and reply.find("Record") is not None
    assert AgentProfile.objects.filter(duty_status="reserved").count() == 0


def test_the_caller_hanging_up_in_the_queue_abandons_the_call(client, line):
    twilio_post(client, VOICE, voice_params(line))
    twilio_post(client, STATUS, voice_params(line, CallStatus="completed", CallDuration="40"))
    assert Call.objects.get().status == "abandoned"


def test_a_recorded_message_ends_the_call_as_a_voicemail(client, line):
    line.max_wait_seconds = 0
    line.save()
    record = twiml(twilio_post(client, VOICE, voice_params(line))).find("Record")
    url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"
    twilio_post(client, record.get("action"), voice_params(line, RecordingUrl=url))
    call = Call.objects.get()
    assert (call.status, call.recording_url) == ("voicemail", url)


@pytest.mark.parametrize(
    ("query", "params"),
    [
        ("", {"CallSid": ""}),
        ("", {"DialCallStatus": "completed", "DialCallDuration": "ninety"}),
        ("", {"DialCallStatus": "completed", "DialCallDuration": "-5"}),
        ("", {"DialCallStatus": "exploded"}),
        ("", {"DialCallStatus": "no-answer", "CallSid": "CA-other"}),
        ("&call=999999", {"DialCallStatus": "no-answer"}),
        ("&call=first", {"DialCallStatus": "no-answer"}),
        ("&call=" + "9" * 30, {"DialCallStatus": "no-answer"}),
        ("", {"DialCallStatus": "completed", "DialCallDuration": "9" * 30}),
    ],
    ids=[
        "no-callsid",
        "duration-text",
        "duration-negative",
        "unknown-status",
        "other-callsid",
        "other-call-id",
        "call-id-text",
        "call-id-huge",
        "duration-huge",
    ],
)
def test_a_garbled_dial_status_is_a_400_that_changes_nothing(client, acme, line, query, params):
    sita = routable_agent(acme, "sita@example.com")
    call, action = offer(client, line)
    stored = ProviderRequest.objects.count()
    response = dial_status(client, action + query, line, **params)
    assert response.status_code == 400, response.content
    call.refresh_from_db()
    assert (call.status, call.agent, call.attempts) == ("offered", sita, 1)
    assert duty(sita) == ("reserved", 0)
    assert ProviderRequest.objects.count() == stored  # a retry is validated afresh
