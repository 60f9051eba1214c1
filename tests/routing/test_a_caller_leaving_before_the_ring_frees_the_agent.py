"""A caller on hold for whom routing has reserved a freed agent hears the next hold before
the agent's phone rings (the <Dial> is given at the hold's redirect). A caller who hangs up
in that pause leaves no <Dial> to report: the call is abandoned and the agent freed at once,
not 25 s later by the sweep as a lost call for staff to review (found by the forecast run)."""

import pytest
from django.urls import reverse

from agents.models import AgentProfile
from routing.models import Call
from routing.services import queue_dispatch
from tests.routing.conftest import routable_agent, twilio_post, twiml, voice_params

pytestmark = pytest.mark.django_db
Duty = AgentProfile.Duty


def held_caller(client, line) -> tuple[Call, str]:
    """A caller on hold (nobody was on duty when they rang), and their hold's redirect."""
    hold = twiml(twilio_post(client, reverse("telephony:twilio_voice"), voice_params(line)))
    call = Call.objects.get()
    assert call.status == Call.Status.QUEUED
    return call, hold.find("Redirect").text


def redirected(client, line, redirect: str):
    """The hold's pause is over: Twilio asks the redirect what comes next."""
    return twiml(twilio_post(client, redirect, voice_params(line)))


def hung_up(client, call: Call) -> None:
    params = {"CallSid": call.provider_call_id, "AccountSid": "AC1", "CallStatus": "completed"}
    response = twilio_post(client, reverse("telephony:twilio_status"), params)
    assert response.status_code == 204


def test_a_caller_who_leaves_before_the_reserved_agent_rings_frees_the_agent(client, acme, line):
    call, redirect = held_caller(client, line)
    sita = routable_agent(acme, "sita@example.com")
    assert queue_dispatch(agent_id=sita.pk).pk == call.pk  # reserved, not yet rung
    hung_up(client, call)
    call.refresh_from_db()
    sita.refresh_from_db()
    assert (call.status, call.ended_at is not None, call.needs_review) == (
        Call.Status.ABANDONED,
        True,
        False,
    )
    assert sita.duty_status == Duty.AVAILABLE
    # The hold's redirect, should it still come, hangs up: nobody rings a caller who left.
    assert redirected(client, line, redirect).find("Dial") is None


def test_once_the_agent_rings_a_caller_leaving_waits_for_the_dials_report(client, acme, line):
    call, redirect = held_caller(client, line)
    sita = routable_agent(acme, "sita@example.com")
    queue_dispatch(agent_id=sita.pk)
    assert redirected(client, line, redirect).find("Dial") is not None  # rung from now on
    hung_up(client, call)
    call.refresh_from_db()
    sita.refresh_from_db()
    # The agent's leg may be talking: how it went comes with the <Dial>'s report.
    assert (call.status, call.caller_left_at is not None) == (Call.Status.OFFERED, True)
    assert sita.duty_status == Duty.RESERVED
