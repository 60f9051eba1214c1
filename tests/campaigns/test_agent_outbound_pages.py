"""The agent's outbound page: the next contact in preview (masked number, only the fields
the campaign shows), Call and Skip, the attempt followed, and only ever the agent's own."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from agents.models import AgentProfile
from campaigns.models import Attempt, CampaignContact
from routing.models import Call
from tests.campaigns.agent_outbound import *  # noqa: F403  (the fixtures)
from tests.campaigns.agent_outbound import HOME, NUMBER, place

pytestmark = pytest.mark.django_db
State = CampaignContact.State


def test_the_preview_shows_the_masked_number_and_only_the_fields_shown(client, meera, campaign):
    client.force_login(meera.user)
    html = client.get(HOME).content.decode()
    assert "Asha Rao" in html and "Policy renewals" in html
    assert "+91••••••45" in html
    assert NUMBER not in html and "98450" not in html
    assert "Gold" in html and "ABCDE1234F" not in html  # plan is shown, pan is not
    assert "This is <strong>Acme</strong> calling." in html  # the line's script
    target = campaign.targets.get()
    assert target.state == State.PREVIEW and target.agent == meera


def test_reopening_the_page_shows_the_same_contact_and_nobody_else_gets_it(
    client, meera, ravi, campaign
):
    client.force_login(meera.user)
    client.get(HOME)
    assert "Asha Rao" in client.get(HOME).content.decode()
    client.force_login(ravi.user)
    html = client.get(HOME).content.decode()
    assert "Asha Rao" not in html and "Nothing to call now" in html


def test_call_places_the_attempt_and_its_page_follows_it(client, meera, campaign):
    client.force_login(meera.user)
    client.get(HOME)
    target = campaign.targets.get()
    attempt = place(client, target)
    assert attempt.status == Attempt.Status.AGENT and attempt.agent == meera
    page = client.get(reverse("outbound_agent:attempt", args=[attempt.pk]))
    html = page.content.decode()
    assert "Calling your phone…" in html and "+91••••••45" in html and NUMBER not in html
    state = reverse("outbound_agent:attempt_state", args=[attempt.pk])
    key = f"{attempt.pk}-agent-none"
    assert client.get(state, {"v": key}).status_code == 204
    from campaigns import events

    events.attempt_agent_answered(attempt_id=attempt.pk)
    assert "Calling the contact…" in client.get(state, {"v": key}).content.decode()


def test_skip_gives_the_contact_back_for_later(client, meera, campaign):
    client.force_login(meera.user)
    client.get(HOME)
    target = campaign.targets.get()
    response = client.post(reverse("outbound_agent:skip"), {"target": target.pk})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.state == State.PENDING and target.agent is None
    assert target.next_attempt_at > timezone.now()
    assert not Attempt.objects.exists()


def test_another_agents_contact_cannot_be_called_or_skipped(client, meera, ravi, campaign):
    client.force_login(meera.user)
    client.get(HOME)
    target = campaign.targets.get()
    client.force_login(ravi.user)
    assert client.post(reverse("outbound_agent:call"), {"target": target.pk}).status_code == 404
    assert client.post(reverse("outbound_agent:skip"), {"target": target.pk}).status_code == 404
    assert client.post(reverse("outbound_agent:call"), {"target": "x"}).status_code == 404
    target.refresh_from_db()
    assert target.agent == meera and not Attempt.objects.exists()


def test_another_agents_attempt_is_not_found(client, meera, ravi, campaign):
    client.force_login(meera.user)
    client.get(HOME)
    attempt = place(client, campaign.targets.get())
    client.force_login(ravi.user)
    assert client.get(reverse("outbound_agent:attempt", args=[attempt.pk])).status_code == 404
    state = reverse("outbound_agent:attempt_state", args=[attempt.pk])
    assert client.get(state).status_code == 404


@pytest.mark.parametrize("persona", ["carol", "root", "victor"])
def test_firm_users_and_staff_cannot_open_the_agent_pages(client, request, campaign, persona):
    client.force_login(request.getfixturevalue(persona))
    for url in (HOME, reverse("outbound_agent:state")):
        assert client.get(url).status_code in (302, 403)
    target = campaign.targets.get()
    assert client.post(reverse("outbound_agent:call"), {"target": target.pk}).status_code in (
        302,
        403,
    )
    assert not Attempt.objects.exists()


def test_an_inbound_caller_waiting_comes_first(client, acme, line, meera, campaign):
    Call.objects.create(
        provider="twilio",
        provider_call_id="CA-waiting",
        line=line,
        firm=acme,
        caller="+918242440000",
        language="en",
        domain=line.domain,
        status=Call.Status.QUEUED,
        queued_at=timezone.now() - dt.timedelta(seconds=30),
    )
    client.force_login(meera.user)
    html = client.get(HOME).content.decode()
    assert "A caller is waiting for you" in html and "Asha Rao" not in html
    assert campaign.targets.get().state == State.PENDING


def test_call_is_refused_with_a_message_when_a_caller_starts_waiting(
    client, acme, line, meera, campaign
):
    client.force_login(meera.user)
    client.get(HOME)
    target = campaign.targets.get()
    Call.objects.create(
        provider="twilio",
        provider_call_id="CA-waiting",
        line=line,
        firm=acme,
        caller="+918242440000",
        language="en",
        domain=line.domain,
        status=Call.Status.QUEUED,
        queued_at=timezone.now(),
    )
    response = client.post(reverse("outbound_agent:call"), {"target": target.pk}, follow=True)
    assert "A caller is waiting for you: take the call first." in response.content.decode()
    assert not Attempt.objects.filter(status__in=Attempt.LIVE).exists()


def test_the_page_says_why_there_is_nothing_to_call(client, meera, campaign):
    client.force_login(meera.user)
    AgentProfile.objects.filter(pk=meera.pk).update(duty_status=AgentProfile.Duty.OFFLINE)
    assert "You are offline" in client.get(HOME).content.decode()
    assert campaign.targets.get().state == State.PENDING  # nothing was claimed
    AgentProfile.objects.filter(pk=meera.pk).update(duty_status=AgentProfile.Duty.AVAILABLE)
    later = timezone.now() + dt.timedelta(hours=2)
    campaign.targets.update(next_attempt_at=later)
    assert "Nothing due now. The next contact is due at" in client.get(HOME).content.decode()


def test_an_agent_with_no_campaign_reads_so(client, acme, line):
    from tests.routing.conftest import routable_agent

    sita = routable_agent(acme, "sita@example.com")
    client.force_login(sita.user)
    assert "No campaign is running for you" in client.get(HOME).content.decode()
