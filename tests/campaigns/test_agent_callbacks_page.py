"""Callbacks on the agent's outbound page: a voicemail's callback is worked in preview by any
agent engaged on its line, listed as "Callbacks"; one promised by an agent is listed under
their scheduled callbacks and offered to them first."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from campaigns.models import Campaign, CampaignContact
from routing.models import Call, CallbackRequest
from routing.services.callbacks import callback_open
from tests.campaigns.agent_outbound import *  # noqa: F403  (the fixtures)
from tests.campaigns.agent_outbound import HOME

pytestmark = pytest.mark.django_db


def voicemail(acme, line, *, agent_id=None, due_at=None) -> Call:
    now = timezone.now()
    call = Call.objects.create(
        provider="twilio",
        provider_call_id=f"CA-vm-{agent_id}",
        line=line,
        firm=acme,
        caller="+918242440000",
        language="en",
        domain=line.domain,
        status=Call.Status.VOICEMAIL,
        ended_at=now,
    )
    callback_open(call, reason=CallbackRequest.Reason.VOICEMAIL, agent_id=agent_id, due_at=due_at)
    # The line's callbacks campaign calls 09:00-21:00: round the clock here, so the test
    # does not depend on the hour it runs at.
    Campaign.objects.filter(kind=Campaign.Kind.CALLBACKS).update(
        window_start=dt.time(0), window_end=dt.time(23, 59, 59)
    )
    return call


def test_a_voicemail_callback_is_previewed_by_an_agent_on_the_line(
    client, acme, line, ravi, no_dial
):
    voicemail(acme, line)
    client.force_login(ravi.user)
    html = client.get(HOME).content.decode()
    assert "The customer asked to be called back" in html
    assert "Callbacks, Renewals line" in html
    assert re.search(r"<td>Callbacks <small", html)  # the line's callbacks campaign, listed
    assert "+91••••••00" in html and "+918242440000" not in html
    target = CampaignContact.objects.get(campaign__kind=Campaign.Kind.CALLBACKS)
    assert target.state == CampaignContact.State.PREVIEW and target.agent == ravi


def test_a_promised_callback_is_listed_and_kept_for_its_agent(client, acme, line, meera, ravi):
    due = timezone.now() + dt.timedelta(hours=3)
    voicemail(acme, line, agent_id=meera.pk, due_at=due)
    client.force_login(meera.user)
    listed = client.get(HOME).content.decode()
    assert "Scheduled callbacks" in listed and 'id="scheduled-callbacks"' in listed
    assert "+91••••••00" in listed
    client.force_login(ravi.user)
    other = client.get(HOME).content.decode()
    assert 'id="scheduled-callbacks"' not in other  # meera's, not his
