"""A campaign sends at most its rate in any minute, counted from the database (the emails'
send times), with the clock frozen by passing `now` to the tick."""

import datetime as dt

import pytest
from django.utils import timezone

from mailroom.models import EmailCampaign
from mailroom.sending import campaign_schedule, campaigns_tick
from tests.mailroom.campaigning import campaign_draft, campaign_started, email_list

pytestmark = pytest.mark.django_db


def test_it_sends_no_more_than_the_rate_in_any_minute(smtp_sink, carol, acme, mail_address):
    people = email_list(acme, [(f"P{i}", f"p{i}@example.net") for i in range(5)])
    campaign_started(carol, acme, mail_address, [people], rate_per_minute=2)
    start = timezone.now()

    assert campaigns_tick(now=start) == 2
    assert campaigns_tick(now=start + dt.timedelta(seconds=5)) == 0
    assert campaigns_tick(now=start + dt.timedelta(seconds=59)) == 0
    assert campaigns_tick(now=start + dt.timedelta(seconds=61)) == 2
    assert campaigns_tick(now=start + dt.timedelta(seconds=122)) == 1
    assert len(smtp_sink.messages) == 5
    assert EmailCampaign.objects.get().status == "done"


def test_a_scheduled_campaign_starts_at_its_time(smtp_sink, carol, acme, mail_address):
    people = email_list(acme, [("Asha", "asha@example.net")])
    campaign = campaign_draft(carol, acme, mail_address, [people])
    at = timezone.now() + dt.timedelta(hours=1)
    campaign_schedule(actor=carol, firm=acme, pk=campaign.pk, at=at)

    assert campaigns_tick(now=at - dt.timedelta(seconds=1)) == 0
    assert campaigns_tick(now=at) == 1
    assert EmailCampaign.objects.get().status == "done"
