"""Agents freeing at the same moment (PostgreSQL, real threads): the oldest callers get them,
never a younger caller ahead of an older one."""

import datetime as dt

import pytest
from django.db.models import Count

from agents.models import AgentProfile
from routing.models import Call, RoutingDecision
from routing.services import call_start, wrap_up_end
from tests.factories import PhoneLineFactory
from tests.routing.concurrency import agents_engaged, in_threads
from tests.routing.conftest import LANDLINE_MANGALURU as LANDLINE
from tests.routing.conftest import routing_now

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def callers_waiting(line, count: int, *, at: dt.datetime) -> list[Call]:
    """`count` queued callers, oldest first, a second apart."""
    return [
        call_start(
            provider="race",
            provider_call_id=f"CA{n}",
            to=str(line.number),
            caller=LANDLINE,
            at=at - dt.timedelta(seconds=120 - n),
        )
        for n in range(count)
    ]


@pytest.mark.parametrize("freeing", [2, 4])
def test_agents_ending_wrap_up_together_are_offered_the_oldest_callers_in_order(acme, freeing):
    at = routing_now()
    line = PhoneLineFactory(firm=acme)
    agents = agents_engaged(acme, freeing, at=at)
    calls = callers_waiting(line, 40, at=at)
    for _ in range(25):  # many interleavings, same queue
        Call.objects.update(status="queued", agent=None, offered_at=None, attempts=0)
        RoutingDecision.objects.all().delete()
        AgentProfile.objects.update(duty_status="wrap_up", wrap_up_until=at)
        jobs = [lambda a=a: wrap_up_end(agent_id=a.pk, at=at) for a in agents]
        outcomes = in_threads(jobs, together=freeing, workers=freeing)

        assert outcomes == [True] * freeing
        offered = Call.objects.filter(status="offered")
        assert sorted(offered.values_list("pk", flat=True)) == [c.pk for c in calls[:freeing]]
        # Oldest first: nobody younger was placed before an older caller.
        placed = RoutingDecision.objects.filter(outcome="dispatched").order_by("pk")
        queued = [d.call.queued_at for d in placed.select_related("call")]
        assert queued == sorted(queued)
        live = offered.values("agent").annotate(n=Count("id"))
        assert {row["agent"] for row in live} == {a.pk for a in agents}
        assert {row["n"] for row in live} == {1}
