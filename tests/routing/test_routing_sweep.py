"""The routing sweep: wrap-ups that are over, and reservations nobody reported back on."""

import datetime as dt

import pytest
from django.conf import settings

from agents.models import AgentProfile
from routing.models import Call, RoutingDecision
from routing.services import call_answered, call_completed_with, call_route, call_start
from routing.services import routing_sweep as sweep
from tests.factories import PhoneLineFactory
from tests.routing.conftest import (
    LANDLINE_MANGALURU,
    VOICE,
    routable_agent,
    routing_now,
    twilio_post,
    twiml,
    voice_params,
)

pytestmark = pytest.mark.django_db
NOTHING = {
    "wrap_ups_ended": 0,
    "waiting_ended": 0,
    "reservations_freed": 0,
    "calls_reconciled": 0,
    "contexts_forgotten": 0,
    "wrap_ups_abandoned": 0,
}


@pytest.fixture
def line(acme):
    return PhoneLineFactory(firm=acme, wrap_up_seconds=30, ring_timeout_seconds=20)


@pytest.fixture
def sita(acme):
    return routable_agent(acme, "sita@example.com")


def start_and_route(line, at, sid):
    call = call_start(
        provider="test", provider_call_id=sid, to=str(line.number), caller=LANDLINE_MANGALURU, at=at
    )
    return call_route(call_id=call.pk, at=at).call


def duty(agent) -> str:
    agent.refresh_from_db()
    return agent.duty_status


def test_the_sweep_ends_a_due_wrap_up_and_hands_the_agent_the_waiting_caller(line, sita, at):
    first = start_and_route(line, at, "CA1")
    call_completed_with(call_id=first.pk, duration=60, at=at)
    waiting = start_and_route(line, at, "CA2")
    assert (duty(sita), waiting.status) == ("wrap_up", Call.Status.QUEUED)
    assert sweep(at=sita.wrap_up_until - dt.timedelta(seconds=1)) == NOTHING
    assert duty(sita) == "wrap_up"

    later = sita.wrap_up_until + dt.timedelta(seconds=1)
    assert sweep(at=later) == NOTHING | {"wrap_ups_ended": 1}
    waiting.refresh_from_db()
    assert (waiting.status, waiting.agent, waiting.attempts) == (Call.Status.OFFERED, sita, 1)
    assert duty(sita) == "reserved"
    assert RoutingDecision.objects.filter(call=waiting).last().outcome == "dispatched"
    assert sweep(at=later) == NOTHING  # twice is once


def test_the_sweep_closes_an_offer_nobody_reported_on_as_lost_and_frees_the_agent(line, sita, at):
    # Issue 12: this offer used to go back to the queue. A generic-API call has nobody to ask
    # whether the agent answered, and re-queueing it freed an agent who may be mid-call as if
    # the call had never been taken: it is now closed as lost, flagged for staff.
    call = start_and_route(line, at, "CA1")
    assert duty(sita) == "reserved"
    expiry = at + dt.timedelta(
        seconds=line.ring_timeout_seconds + settings.ROUTING_RESERVATION_MARGIN_SECONDS
    )
    assert sweep(at=expiry - dt.timedelta(seconds=1)) == NOTHING
    assert duty(sita) == "reserved"

    assert sweep(at=expiry + dt.timedelta(seconds=1)) == NOTHING | {
        "reservations_freed": 1,
        "calls_reconciled": 1,
    }
    call.refresh_from_db()
    assert (call.status, call.agent, call.needs_review) == (Call.Status.LOST, sita, True)
    assert "No word from the provider" in call.outcome
    sita.refresh_from_db()
    assert (sita.duty_status, sita.no_answer_strikes) == ("available", 0)  # no strike: not theirs
    assert sweep(at=expiry + dt.timedelta(seconds=2)) == NOTHING  # twice is once


def test_the_sweep_leaves_an_answered_call_alone(line, sita, at):
    call = start_and_route(line, at, "CA1")
    call_answered(call_id=call.pk, at=at)
    assert sweep(at=at + dt.timedelta(hours=1)) == NOTHING
    call.refresh_from_db()
    assert (call.status, duty(sita)) == (Call.Status.IN_PROGRESS, "on_call")
    assert AgentProfile.objects.filter(duty_status="available").count() == 0


def test_a_long_talk_on_twilio_is_not_taken_for_a_lost_reservation(client, line, sita):
    dial = twiml(twilio_post(client, VOICE, voice_params(line))).find("Dial")
    number = dial.find("Number")
    assert number.get("statusCallbackEvent") == "answered"
    # The agent picks up: Twilio reports the agent's leg (its own CallSid, ours as parent).
    answered = voice_params(line, "CA-agent-leg", ParentCallSid="CA1", CallStatus="in-progress")
    assert twilio_post(client, number.get("statusCallback"), answered).status_code == 204
    assert sweep(at=routing_now() + dt.timedelta(minutes=10)) == NOTHING
    assert duty(sita) == "on_call"

    done = voice_params(line, DialCallStatus="completed", DialCallDuration="600")
    twiml(twilio_post(client, dial.get("action"), done))
    call = Call.objects.get()
    assert (call.status, call.agent, call.talk_seconds) == (Call.Status.COMPLETED, sita, 600)
    assert duty(sita) == "wrap_up"
