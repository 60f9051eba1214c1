"""A first walk through the dialer (the lead's smoke test of the core)."""

import pytest

from agents.models import AgentProfile
from campaigns import dialer, events
from campaigns.models import Attempt, CampaignContact
from routing.models import Call
from tests.campaigns.dialing import registry_with, running_campaign
from tests.routing.conftest import routable_agent


@pytest.fixture
def line(acme):
    from tests.factories import PhoneLineFactory

    return PhoneLineFactory(firm=acme)


def test_preview_call_connect_and_end_bills_nothing_twice(acme, line, monkeypatch):
    monkeypatch.setattr(dialer, "_dial_on_commit", lambda attempt_id: None)
    agent = routable_agent(acme, "meera@example.com")
    campaign = running_campaign(acme, line, agents=[agent], numbers=["+919845012345"])
    target = dialer.target_next(agent=agent)
    assert target is not None and target.state == CampaignContact.State.PREVIEW
    attempt = dialer.attempt_place(agent=agent, target_id=target.pk)
    assert attempt.status == Attempt.Status.AGENT
    assert attempt.checks["verdict"] == "allowed"
    agent.refresh_from_db()
    assert agent.duty_status == AgentProfile.Duty.RESERVED
    events.attempt_agent_answered(attempt_id=attempt.pk)
    events.attempt_contact_answered(attempt_id=attempt.pk)
    done = events.attempt_dial_ended(attempt_id=attempt.pk, outcome="connected", talk_seconds=75)
    assert done.status == Attempt.Status.ENDED and done.talk_seconds == 75
    call = Call.objects.get(pk=attempt.call_id)
    assert call.status == Call.Status.COMPLETED and call.direction == "outbound"
    assert campaign.targets.get().state == CampaignContact.State.DONE


def test_a_registry_blocked_number_is_refused_with_its_proof(acme, line, monkeypatch):
    monkeypatch.setattr(dialer, "_dial_on_commit", lambda attempt_id: None)
    agent = routable_agent(acme, "meera@example.com")
    registry_with({"+919845012345": (True, 0)})
    running_campaign(
        acme,
        line,
        agents=[agent],
        numbers=["+919845012345"],
        purpose="promotional",
        window=(__import__("datetime").time(0), __import__("datetime").time(23, 59)),
    )
    assert dialer.target_next(agent=agent) is None
    refused = Attempt.objects.get()
    assert refused.status == Attempt.Status.REFUSED
    assert refused.checks["registry"]["result"] == "fully blocked"
