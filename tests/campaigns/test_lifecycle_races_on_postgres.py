"""Two moves of one campaign at once, on real PostgreSQL row locks: the lifecycle decides on
the locked, re-read row, so exactly one wins and the other is told the campaign moved."""

import pytest
from django.utils import timezone

from campaigns import lifecycle
from campaigns.models import Campaign
from common.errors import ConflictError
from common.models import AuditAction, AuditRecord
from tests.clients.test_approval_race_on_postgres import _race, _split

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def running(ready, carol):
    ready.starts_on = timezone.localdate()
    ready.save()
    lifecycle.campaign_schedule(actor=carol, campaign=ready)
    lifecycle.campaign_start(actor=carol, campaign=ready)
    return Campaign.objects.get(pk=ready.pk)


def test_two_pauses_at_once_pause_once_and_refuse_the_other(running, carol):
    stale = [Campaign.objects.get(pk=running.pk) for _ in range(2)]  # both read "running"

    outcomes = _race(
        *(lambda c=c: lifecycle.campaign_pause(actor=carol, campaign=c) for c in stale)
    )

    done, refused = _split(outcomes)
    assert len(done) == 1 and len(refused) == 1
    assert isinstance(refused[0], ConflictError)
    assert AuditRecord.objects.filter(action=AuditAction.CAMPAIGN_PAUSED).count() == 1


def test_a_pause_racing_a_completion_leaves_one_consistent_end(running, carol):
    pause = Campaign.objects.get(pk=running.pk)
    complete = Campaign.objects.get(pk=running.pk)

    outcomes = _race(
        lambda: lifecycle.campaign_pause(actor=carol, campaign=pause),
        lambda: lifecycle.campaign_complete(actor=carol, campaign=complete),
    )

    # Either order ends completed: a pause first is then completed; a completion first
    # refuses the pause (nothing is paused after it ended).
    running.refresh_from_db()
    assert running.status == "completed"
    assert all(isinstance(o, ConflictError) for o in outcomes if isinstance(o, Exception))
    paused = AuditRecord.objects.filter(action=AuditAction.CAMPAIGN_PAUSED).exists()
    assert paused == (not any(isinstance(o, Exception) for o in outcomes))
    assert not running.targets.filter(state="pending").exists()
