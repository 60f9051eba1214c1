"""Blending: an agent working inbound and outbound gets inbound callers first; outbound only
while no inbound caller waits for them."""

import pytest

from agents.models import AgentProfile
from campaigns import dialer
from campaigns.models import Attempt, Campaign
from routing.models import Call
from routing.services import call_route, call_start
from tests.campaigns.dialing import running_campaign
from tests.routing.conftest import LANDLINE_MANGALURU

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(outbound_line):
    return outbound_line


def caller_waiting(line, agent) -> Call:
    """An inbound caller queued while `agent` was busy; then the agent frees up."""
    AgentProfile.objects.filter(pk=agent.pk).update(duty_status=AgentProfile.Duty.RESERVED)
    call = call_start(
        provider="twilio", provider_call_id="CAin1", to=str(line.number), caller=LANDLINE_MANGALURU
    )
    call_route(call_id=call.pk)
    call.refresh_from_db()
    assert call.status == Call.Status.QUEUED
    AgentProfile.objects.filter(pk=agent.pk).update(duty_status=AgentProfile.Duty.AVAILABLE)
    return call


def test_a_free_agent_with_a_caller_waiting_gets_the_caller_not_a_contact(
    acme, line, meera, django_capture_on_commit_callbacks
):
    running_campaign(
        acme, line, agents=[meera], numbers=["+919845012345"], mode=Campaign.Mode.PROGRESSIVE
    )
    call = caller_waiting(line, meera)
    with django_capture_on_commit_callbacks(execute=True):
        assert dialer.agent_dial_next(agent_id=meera.pk) is None
    assert not Attempt.objects.exists()
    call.refresh_from_db()
    assert (call.status, call.agent_id) == (Call.Status.OFFERED, meera.pk)


def test_preview_shows_no_contact_while_a_caller_waits_for_the_agent(acme, line, meera):
    running_campaign(acme, line, agents=[meera], numbers=["+919845012345"])
    caller_waiting(line, meera)
    assert dialer.target_next(agent=meera) is None


def test_with_no_caller_waiting_the_free_agent_is_dialled_for_the_next_contact(acme, line, meera):
    running_campaign(
        acme, line, agents=[meera], numbers=["+919845012345"], mode=Campaign.Mode.PROGRESSIVE
    )
    attempt = dialer.agent_dial_next(agent_id=meera.pk)
    assert attempt is not None and attempt.status == Attempt.Status.AGENT
    meera.refresh_from_db()
    assert meera.duty_status == AgentProfile.Duty.RESERVED
    # One line per agent: nothing more for them while this one is live.
    assert dialer.agent_dial_next(agent_id=meera.pk) is None
