"""Fixtures for the agent's outbound pages: a firm's line with its codes and a script, an
agent who can dial now, and a running preview campaign showing one field of its contacts.

A test module takes the fixtures with `from tests.campaigns.agent_outbound import *` (pytest
finds imported fixtures; a star import keeps ruff from reading them as redefinitions). No
provider is called: `_dial_on_commit` is replaced, and the tests play the provider's events
through `campaigns.events`.
"""

import pytest
from django.urls import reverse

from campaigns import dialer, events
from clients.models import Contact
from clients.scripts import dispositions_seed, script_save
from tests.campaigns.dialing import running_campaign
from tests.factories import PhoneLineFactory
from tests.routing.conftest import routable_agent

__all__ = ["campaign", "line", "meera", "no_dial", "ravi"]  # the fixtures, for `import *`
NUMBER = "+919845012345"
HOME = reverse("outbound_agent:home")


@pytest.fixture
def no_dial(monkeypatch):
    """The provider is never asked: the attempt is placed, nothing is dialled."""
    monkeypatch.setattr(dialer, "_dial_on_commit", lambda attempt_id: None)


@pytest.fixture
def line(acme, carol):
    line = PhoneLineFactory(firm=acme, name="Renewals line", wrap_up_seconds=120)
    dispositions_seed(line)
    script_save(actor=carol, line=line, language="", body="# Hello\n\nThis is **Acme** calling.")
    return line


@pytest.fixture
def meera(acme, line):
    return routable_agent(acme, "meera@example.com")


@pytest.fixture
def ravi(acme, line):
    return routable_agent(acme, "ravi@example.com")


@pytest.fixture
def campaign(acme, line, meera, ravi, no_dial):
    campaign = running_campaign(
        acme,
        line,
        agents=[meera, ravi],
        numbers=[NUMBER],
        name="Policy renewals",
        fields_shown=["plan"],
    )
    Contact.objects.filter(pk=campaign.targets.get().contact_id).update(
        name="Asha Rao", fields={"plan": "Gold", "pan": "ABCDE1234F"}
    )
    return campaign


def place(client, target) -> object:
    """Press Call on the contact shown; the attempt placed."""
    from campaigns.models import Attempt

    response = client.post(reverse("outbound_agent:call"), {"target": target.pk})
    attempt = Attempt.objects.filter(target=target).order_by("-pk").first()
    assert response.status_code == 302, response
    return attempt


def connect(attempt, seconds: int = 60):
    """The provider's side of a call that connects and ends: agent, contact, ended."""
    events.attempt_agent_answered(attempt_id=attempt.pk)
    events.attempt_contact_answered(attempt_id=attempt.pk)
    return events.attempt_dial_ended(
        attempt_id=attempt.pk, outcome="connected", talk_seconds=seconds
    )
