"""Two senders at once (PostgreSQL, real threads): no email is sent twice, and the minute's
budget is spent once between them."""

import threading
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from mailroom.models import CampaignEmail, EmailCampaign
from mailroom.sending import campaign_send_due
from tests.mailroom.campaigning import campaign_started, email_list

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def together(*jobs):
    outcomes, start = [None] * len(jobs), threading.Barrier(len(jobs))

    def run(i, job):
        try:
            start.wait()
            outcomes[i] = job()
        except Exception as error:  # the test reads it
            outcomes[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, j)) for i, j in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


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
