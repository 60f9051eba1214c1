"""Two senders at once (PostgreSQL, real threads): no email is sent twice, and the minute's
budget is spent once between them."""

from collections import Counter

import pytest
from django.utils import timezone

from mailroom.models import CampaignEmail, EmailCampaign
from mailroom.sending import campaign_send_due
from tests.mailroom.campaigning import campaign_started, email_list
from tests.routing.concurrency import in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def together(*jobs):
    """Each job on its own thread, all starting at once; their results (or errors) in order."""
    return in_threads(list(jobs), together=len(jobs), workers=len(jobs))


def test_two_senders_share_one_budget_and_never_send_an_email_twice(
    smtp_sink, carol, acme, mail_address
):
    people = email_list(acme, [(f"P{i}", f"p{i}@example.net") for i in range(30)])
    campaign = campaign_started(carol, acme, mail_address, [people], rate_per_minute=20)
    now = timezone.now()

    outcomes = together(
        *[lambda: campaign_send_due(campaign_id=campaign.pk, now=now) for _ in range(3)]
    )

    assert sum(outcomes) == 20, outcomes
    received = Counter(m["To"] for m in smtp_sink.messages)
    assert len(received) == 20 and set(received.values()) == {1}
    assert CampaignEmail.objects.filter(status="sent").count() == 20
    assert EmailCampaign.objects.get().sent == 20
