"""The sticky rule under real concurrency on PostgreSQL: two returning callers deciding at
the same instant each reach their own last agent, and when they share one, exactly one gets
them — the same lock and compare-and-set as any pick, no double booking."""

import datetime as dt

import pytest
from django.utils import timezone

from agents.models import AgentProfile
from routing.models import Call, RoutingDecision
from routing.services import call_decide, call_start, decision_explain
from tests.factories import PhoneLineFactory
from tests.routing.concurrency import agents_engaged, in_threads
from tests.routing.conftest import routing_now

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
CALLERS = ("+918242441111", "+918242442222")


def served_before(line, agent, caller: str) -> None:
    then = timezone.now() - dt.timedelta(days=3)
    call = Call.objects.create(
        provider="old",
        provider_call_id=f"OLD-{caller}",
        line=line,
        firm=line.firm,
        caller=caller,
        language="en",
        domain=line.domain,
        status=Call.Status.COMPLETED,
        agent=agent,
        queued_at=then,
        offered_at=then,
        answered_at=then,
        ended_at=then + dt.timedelta(minutes=2),
        talk_seconds=120,
    )
    Call.objects.filter(pk=call.pk).update(created_at=then)


def race(line, at) -> list[Call]:
    calls = [
        call_start(provider="race", provider_call_id=f"CA{n}", to=str(line.number), caller=c, at=at)
        for n, c in enumerate(CALLERS)
    ]
    results = []
    for _round in range(15):  # many interleavings, same data
        Call.objects.filter(provider="race").update(
            status="queued", agent=None, offered_at=None, attempts=0, engagement=None
        )
        RoutingDecision.objects.all().delete()
        AgentProfile.objects.update(duty_status="available")
        jobs = [lambda pk=c.pk: call_decide(call_id=pk, at=at) for c in calls]
        outcomes = in_threads(jobs, together=2)
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        # Opened at once (the next round deletes the decisions): the reasons are worked out.
        results.append(
            [(placement.agent.pk, decision_explain(decision)) for placement, decision in outcomes]
        )
    return results


def test_two_returning_callers_at_once_each_reach_their_own_last_agent(acme):
    at = routing_now()
    line = PhoneLineFactory(firm=acme, sticky_days=30)
    nearest, meera, ravi = agents_engaged(acme, 3, at=at)
    served_before(line, meera, CALLERS[0])
    served_before(line, ravi, CALLERS[1])
    for first, second in race(line, at):
        assert (first[0], second[0]) == (meera.pk, ravi.pk)
        assert {first[1].sticky, second[1].sticky} == {RoutingDecision.Sticky.LAST_AGENT}
    assert AgentProfile.objects.get(pk=nearest.pk).duty_status == "available"


def test_two_returning_callers_of_one_agent_at_once_book_them_once(acme):
    at = routing_now()
    line = PhoneLineFactory(firm=acme, sticky_days=30)
    _nearest, meera, _ravi = agents_engaged(acme, 3, at=at)
    for caller in CALLERS:
        served_before(line, meera, caller)
    for outcome in race(line, at):
        agents = [agent for agent, _decision in outcome]
        assert len(set(agents)) == 2 and meera.pk in agents
        decisions = [d for _agent, d in outcome]
        sticky = sorted(d.sticky for d in decisions)
        assert sticky == [RoutingDecision.Sticky.LAST_AGENT, RoutingDecision.Sticky.USUAL]
        usual = next(d for d in decisions if d.sticky == RoutingDecision.Sticky.USUAL)
        assert usual.sticky_reason.startswith(meera.full_name), usual.sticky_reason
    assert Call.objects.filter(provider="race", status="offered").count() == 2
