"""A call whose callbacks never came is asked about at Twilio (a local fake of its REST API)
before the sweep frees its agent: talking goes on, ended is billed with Twilio's duration."""

import datetime as dt

import pytest
from django.conf import settings

from billing.models import Transaction
from routing.models import Call
from routing.services import routing_sweep as sweep
from tests.factories import PhoneLineFactory
from tests.routing.conftest import VOICE, routable_agent, routing_now, twilio_post, twiml
from tests.routing.conftest import voice_params as params

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(acme):
    return PhoneLineFactory(firm=acme, wrap_up_seconds=30, ring_timeout_seconds=20)


@pytest.fixture
def sita(acme):
    return routable_agent(acme, "sita@example.com")


def offer(client, line, sid="CA1") -> tuple[Call, str]:
    dial = twiml(twilio_post(client, VOICE, params(line, sid))).find("Dial")
    return Call.objects.get(provider_call_id=sid), dial.get("action")


def past_the_ring(call: Call) -> dt.datetime:
    margin = settings.ROUTING_RESERVATION_MARGIN_SECONDS
    return call.offered_at + dt.timedelta(seconds=call.line.ring_timeout_seconds + margin + 1)


def state(call: Call, agent) -> tuple[str, str, int | None]:
    call.refresh_from_db()
    agent.refresh_from_db()
    return call.status, agent.duty_status, call.talk_seconds


def test_an_offer_whose_answered_was_lost_goes_on_as_a_conversation(
    client, line, sita, twilio_rest
):
    call, action = offer(client, line)
    twilio_rest.call("CA1", "in-progress", legs=[("in-progress", 0)])
    assert sweep(at=past_the_ring(call))["reservations_freed"] == 0
    assert state(call, sita) == ("in_progress", "on_call", None)  # never freed mid-call
    assert twilio_rest.asked  # it asked rather than guessed

    done = params(line, DialCallStatus="completed", DialCallDuration="55")
    twiml(twilio_post(client, action, done))
    assert state(call, sita) == ("completed", "wrap_up", 55)
    assert Transaction.objects.get(call=call).units == 1


def test_a_call_whose_every_callback_was_lost_is_billed_with_twilios_duration(
    client, line, sita, twilio_rest
):
    call, action = offer(client, line)
    twilio_rest.call("CA1", "completed", duration=90, legs=[("completed", 55)])
    assert sweep(at=past_the_ring(call))["calls_reconciled"] == 1
    assert state(call, sita) == ("completed", "wrap_up", 55)
    # The report comes after all (a late retry): the same call, billed once.
    done = params(line, DialCallStatus="completed", DialCallDuration="55")
    twiml(twilio_post(client, action, done))
    assert Transaction.objects.filter(call=call).count() == 1


def test_an_offer_nobody_answered_before_the_caller_left_frees_the_agent_without_a_strike(
    client, line, sita, twilio_rest
):
    call, _action = offer(client, line)
    twilio_rest.call("CA1", "completed", duration=25, legs=[("no-answer", 0)])
    assert sweep(at=past_the_ring(call))["reservations_freed"] == 1
    assert state(call, sita) == ("abandoned", "available", None)
    assert sita.no_answer_strikes == 0 and not Transaction.objects.exists()


def test_a_long_conversation_is_asked_about_now_and_then_and_closed_when_it_ended(
    client, line, sita, twilio_rest
):
    call, _action = offer(client, line)
    leg = params(line, "CA-agent", ParentCallSid="CA1", CallStatus="in-progress")
    twilio_post(client, f"/telephony/twilio/status/?call={call.pk}&leg=agent", leg)
    twilio_rest.call("CA1", "in-progress", legs=[("in-progress", 0)])
    check = dt.timedelta(seconds=settings.ROUTING_TALK_CHECK_SECONDS + 1)
    first = routing_now() + check
    assert sweep(at=first)["calls_reconciled"] == 0
    asked = len(twilio_rest.asked)
    sweep(at=first + dt.timedelta(seconds=10))  # asked a moment ago: not again yet
    assert len(twilio_rest.asked) == asked
    assert state(call, sita) == ("in_progress", "on_call", None)

    twilio_rest.call("CA1", "completed", duration=1400, legs=[("completed", 1350)])
    assert sweep(at=first + check)["calls_reconciled"] == 1
    assert state(call, sita) == ("completed", "wrap_up", 1350)
    assert Transaction.objects.filter(call=call).count() == 1


def test_when_twilio_cannot_be_asked_the_offer_is_lost_and_a_late_report_still_bills_it(
    client, acme, line, sita, twilio_rest
):
    call, action = offer(client, line)
    twilio_rest.down = True
    assert sweep(at=past_the_ring(call))["reservations_freed"] == 1
    assert state(call, sita) == ("lost", "available", None)
    assert call.needs_review
    ravi_call, _ = offer(client, line, "CA2")  # Sita takes the next caller meanwhile
    assert ravi_call.agent == sita

    done = params(line, DialCallStatus="completed", DialCallDuration="55")
    twiml(twilio_post(client, action, done))
    assert state(call, sita) == ("completed", "reserved", 55)  # her new call is left alone
    assert Transaction.objects.filter(call=call).count() == 1
