"""The routing console's live calls are the waiting and talking ones only, oldest first (read
from the partial index routing_call_live_idx, whose status list the selector shares), and its
duty counts are the verified agents' own."""

import datetime as dt
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from agents.models import AgentProfile
from routing.models import Call
from routing.selectors import LIVE_OR_WAITING, console_snapshot
from tests.factories import AgentProfileFactory, PhoneLineFactory

pytestmark = pytest.mark.django_db
_ids = itertools.count(1)


def _call(line, status: str, minutes_ago: int, agent=None) -> Call:
    at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    call = Call.objects.create(
        provider="twilio",
        provider_call_id=f"CA-live-{next(_ids)}",
        line=line,
        firm_id=line.firm_id,
        domain=line.domain,
        status=status,
        agent=agent,
        queued_at=at if status != "menu" else None,
    )
    Call.objects.filter(pk=call.pk).update(created_at=at)
    return call


def test_the_live_list_is_the_waiting_and_talking_calls_oldest_first(acme):
    line = PhoneLineFactory(firm=acme)
    talking = _call(line, "in_progress", 3, agent=AgentProfileFactory())
    queued = _call(line, "queued", 5)
    menu = _call(line, "menu", 1)
    for status in ("completed", "abandoned", "lost", "after_hours"):
        _call(line, status, 2)
    live = list(console_snapshot()["live"])
    assert [c.pk for c in live] == [queued.pk, talking.pk, menu.pk]
    assert set(LIVE_OR_WAITING) == Call.WAITING | Call.LIVE


def test_the_console_counts_verified_agents_by_duty(client, root):
    AgentProfileFactory.create_batch(2, status="verified", duty_status="available")
    AgentProfileFactory(status="verified", duty_status="offline")
    AgentProfileFactory(status="in_review", duty_status="available")  # not verified: not counted
    duty = dict(console_snapshot()["duty"])
    assert duty[AgentProfile.Duty.AVAILABLE.label] == 2
    assert duty[AgentProfile.Duty.OFFLINE.label] == 1
    client.force_login(root)
    assert client.get(reverse("routing_console:home")).status_code == 200
