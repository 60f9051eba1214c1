"""The waiting rule under real concurrency (PostgreSQL, real threads): no caller is put on
hold while an eligible agent is free, and when agents are scarce the oldest callers go first.
"""

import datetime as dt
import random

import pytest
from django.db.models import Count

from agents.models import AgentProfile
from routing.models import Call, RoutingDecision
from routing.services import call_route, call_start
from tests.factories import PhoneLineFactory
from tests.routing.concurrency import agents_engaged, in_threads
from tests.routing.conftest import LANDLINE_MANGALURU as LANDLINE
from tests.routing.conftest import routing_now

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def arrival(line, n: int, at: dt.datetime):
    """Caller n rings and is routed at once, a microsecond younger than caller n - 1."""

    def job():
        when = at + dt.timedelta(microseconds=n)
        call = call_start(
            provider="race",
            provider_call_id=f"CA{n}",
            to=str(line.number),
            caller=LANDLINE,
            at=when,
        )
        return call_route(call_id=call.pk, at=when)

    return job


def assert_one_live_call_each():
    live = Call.objects.filter(status__in=Call.LIVE).values("agent").annotate(n=Count("id"))
    assert {row["n"] for row in live} <= {1}
    holding = {row["agent"] for row in live}
    reserved = AgentProfile.objects.filter(duty_status__in=["reserved", "on_call"])
    assert set(reserved.values_list("pk", flat=True)) == holding


@pytest.mark.parametrize("together", [8, 32])
def test_callers_arriving_together_are_all_offered_an_agent_while_agents_are_free(acme, together):
    at = routing_now()
    line = PhoneLineFactory(firm=acme)
    agents_engaged(acme, 400, at=at)
    jobs = [arrival(line, n, at) for n in range(together * 4)]
    outcomes = in_threads(jobs, together=together, workers=together)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes[:3]
    held = RoutingDecision.objects.exclude(outcome="offered").values_list("outcome", flat=True)
    assert list(held) == []  # no "waiting_behind_older", no "queued": 400 agents were free
    assert Call.objects.filter(status="offered").count() == together * 4
    assert_one_live_call_each()


def test_with_four_agents_free_the_four_oldest_of_sixteen_callers_get_them(acme):
    at = routing_now()
    line = PhoneLineFactory(firm=acme)
    agents = agents_engaged(acme, 4, at=at)
    calls = [  # oldest first, a second apart
        call_start(
            provider="race",
            provider_call_id=f"CA{n}",
            to=str(line.number),
            caller=LANDLINE,
            at=at - dt.timedelta(seconds=60 - n),
        )
        for n in range(16)
    ]
    for round_ in range(15):  # many interleavings, same queue
        Call.objects.update(status="queued", agent=None, offered_at=None, attempts=0)
        AgentProfile.objects.update(duty_status="available")
        shuffled = random.Random(round_).sample(calls, len(calls))
        jobs = [lambda c=c: call_route(call_id=c.pk, at=at) for c in shuffled]
        outcomes = in_threads(jobs, together=16, workers=16)

        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes[:3]
        offered = Call.objects.filter(status="offered")
        assert sorted(offered.values_list("pk", flat=True)) == [c.pk for c in calls[:4]]
        assert {c.agent_id for c in offered} == {a.pk for a in agents}
        assert_one_live_call_each()
