"""Routing under real concurrency on PostgreSQL: many callers, few agents, no double booking.

Threads have their own connections; only the services' locks (SKIP LOCKED pick, then a
compare-and-set reservation) and the partial unique index keep each agent on one call.
"""

import datetime as dt

import pytest
from django.db.models import Count

from agents.models import AgentProfile
from routing.models import Call, RoutingDecision
from routing.services import call_route, call_start, queue_dispatch
from tests.factories import PhoneLineFactory
from tests.routing.concurrency import WORKERS, agents_engaged, in_threads
from tests.routing.conftest import LANDLINE_MANGALURU as LANDLINE
from tests.routing.conftest import routing_now

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def calls_started(line, count: int, *, at: dt.datetime) -> list[Call]:
    # One arrival instant: no call waits behind an older one, every call races for an agent.
    to = str(line.number)
    return [
        call_start(provider="race", provider_call_id=f"CA{n}", to=to, caller=LANDLINE, at=at)
        for n in range(count)
    ]


def route(call_id: int, at: dt.datetime):
    return lambda: call_route(call_id=call_id, at=at)


@pytest.mark.parametrize("round_", [1, 2, 3])
def test_200_callers_racing_for_50_agents_book_each_agent_exactly_once(acme, round_):
    at = routing_now()
    line = PhoneLineFactory(firm=acme)
    agents = agents_engaged(acme, 50, at=at)
    calls = calls_started(line, 200, at=at)
    outcomes = in_threads([route(c.pk, at) for c in calls], together=WORKERS)

    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert not errors, errors[:3]
    placed = [o.agent.pk for o in outcomes if o.agent is not None]
    assert len(placed) == len(set(placed)) == 50
    assert Call.objects.filter(status="offered").count() == 50
    assert Call.objects.filter(status="queued").count() == 150
    live = Call.objects.filter(status="offered").values("agent").annotate(n=Count("id"))
    assert {row["agent"] for row in live} == {a.pk for a in agents}
    assert {row["n"] for row in live} == {1}
    assert AgentProfile.objects.filter(duty_status="reserved").count() == 50
    outcomes_recorded = RoutingDecision.objects.values_list("outcome", flat=True)
    assert sorted(set(outcomes_recorded)) == ["offered", "queued"]
    assert list(outcomes_recorded).count("offered") == 50


@pytest.mark.parametrize("rival", ["queue_dispatch", "call_route"])
def test_two_calls_racing_for_the_last_free_agent_get_them_once(acme, rival):
    at = routing_now()
    line = PhoneLineFactory(firm=acme)
    [sita] = agents_engaged(acme, 1, at=at)
    first, second = calls_started(line, 2, at=at)
    for _ in range(20):  # many interleavings, same data
        Call.objects.update(status="queued", agent=None, offered_at=None, attempts=0)
        AgentProfile.objects.update(duty_status="available")
        if rival == "queue_dispatch":
            other = lambda: queue_dispatch(agent_id=sita.pk, at=at)  # noqa: E731
        else:
            other = route(first.pk, at)
        outcomes = in_threads([other, route(second.pk, at)], together=2)
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        offered = Call.objects.filter(status="offered")
        assert offered.count() == 1 and offered.get().agent_id == sita.pk
        assert AgentProfile.objects.get(pk=sita.pk).duty_status == "reserved"
