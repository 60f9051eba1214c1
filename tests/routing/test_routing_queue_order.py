"""Oldest caller first while agents are scarce — but no caller waits for an agent the older
callers do not need: one they already rang, or one more than there are of them."""

import datetime as dt

import pytest

from agents.models import AgentProfile
from routing.models import Call, RoutingDecision
from routing.selectors import older_waiting_calls_tried
from routing.services import call_not_answered, call_route, call_start, queue_dispatch
from routing.services.deciding import spare_agents
from tests.routing.conftest import LANDLINE_MANGALURU, routable_agent

pytestmark = pytest.mark.django_db


def start(line, at, sid) -> Call:
    return call_start(
        provider="test", provider_call_id=sid, to=str(line.number), caller=LANDLINE_MANGALURU, at=at
    )


def missed_by(agent, line, at) -> Call:
    """A call offered to `agent`, who let it ring out: it waits again, `agent` tried."""
    call = start(line, at, "CA-old")
    assert call_route(call_id=call.pk, at=at).agent == agent
    call = call_not_answered(call_id=call.pk, reason="no answer", at=at)
    assert call.status == Call.Status.QUEUED and call.tried_agent_ids == [agent.pk]
    return call


def test_a_younger_caller_waits_while_an_older_one_is_queued(acme, line, at):
    older = start(line, at - dt.timedelta(seconds=60), "CA-old")
    younger = start(line, at, "CA-young")
    assert call_route(call_id=older.pk, at=at).agent is None  # nobody on duty yet
    sita = routable_agent(acme, "sita@example.com")
    assert call_route(call_id=younger.pk, at=at).agent is None
    assert RoutingDecision.objects.get(call=younger).outcome == "waiting_behind_older"
    # Sita frees up (say, her wrap-up ends): the queue hands her the oldest caller.
    assert queue_dispatch(agent_id=sita.pk, at=at).pk == older.pk
    older.refresh_from_db()
    assert (older.status, older.agent) == (Call.Status.OFFERED, sita)


def test_a_younger_caller_gets_the_agent_the_older_caller_already_missed(acme, line, at):
    sita = routable_agent(acme, "sita@example.com")
    older = missed_by(sita, line, at - dt.timedelta(seconds=30))
    younger = start(line, at, "CA-young")
    placement = call_route(call_id=younger.pk, at=at)
    assert placement.agent == sita
    assert RoutingDecision.objects.filter(call=younger).get().outcome == "offered"
    # The older caller still cannot have her, and is not offered anyone else.
    assert call_route(call_id=older.pk, at=at).agent is None


def test_a_younger_caller_takes_the_agent_the_older_caller_cannot_and_leaves_it_the_other(
    acme, line, at
):
    # The old rule made the younger caller wait here, with two agents free for one older
    # caller (issue 12: a call may wait only when the older callers who could take its
    # candidates are at least as many as the free candidates).
    sita = routable_agent(acme, "sita@example.com", idle_since=at - dt.timedelta(hours=1))
    older = missed_by(sita, line, at - dt.timedelta(seconds=30))
    ravi = routable_agent(acme, "ravi@example.com", idle_since=at - dt.timedelta(hours=2))
    younger = start(line, at, "CA-young")
    # Ravi ranks first (idle longest), but the older caller can only take him: Sita it is.
    assert call_route(call_id=younger.pk, at=at).agent == sita
    assert RoutingDecision.objects.get(call=younger).outcome == "offered"
    assert call_route(call_id=older.pk, at=at).agent == ravi


def test_a_younger_caller_waits_while_as_many_older_callers_could_take_the_free_agents(
    acme, line, at
):
    first = start(line, at - dt.timedelta(seconds=60), "CA-first")
    second = start(line, at - dt.timedelta(seconds=50), "CA-second")
    sita = routable_agent(acme, "sita@example.com")
    ravi = routable_agent(acme, "ravi@example.com")
    younger = start(line, at, "CA-young")
    assert call_route(call_id=younger.pk, at=at).agent is None
    assert RoutingDecision.objects.get(call=younger).outcome == "waiting_behind_older"
    assert {call_route(call_id=c.pk, at=at).agent for c in (second, first)} == {sita, ravi}
    assert AgentProfile.objects.filter(duty_status="available").count() == 0


def test_a_younger_caller_behind_fewer_older_callers_than_free_agents_is_offered_at_once(
    acme, line, at
):
    start(line, at - dt.timedelta(seconds=60), "CA-first")
    start(line, at - dt.timedelta(seconds=50), "CA-second")
    agents = {routable_agent(acme, f"agent{n}@example.com") for n in range(3)}
    younger = start(line, at, "CA-young")
    assert call_route(call_id=younger.pk, at=at).agent in agents
    assert RoutingDecision.objects.get(call=younger).outcome == "offered"


def test_a_freed_agent_is_dispatched_past_a_caller_who_already_missed_them(acme, line, at):
    sita = routable_agent(acme, "sita@example.com")
    older = missed_by(sita, line, at - dt.timedelta(seconds=30))
    younger = start(line, at, "CA-young")
    dispatched = queue_dispatch(agent_id=sita.pk, at=at)
    assert dispatched.pk == younger.pk and dispatched.agent == sita
    older.refresh_from_db()
    assert (older.status, older.agent) == (Call.Status.QUEUED, None)


def test_an_agent_released_by_a_caller_hanging_up_goes_to_the_waiting_caller(
    acme, line, at, django_capture_on_commit_callbacks
):
    from routing.services import call_hung_up

    sita = routable_agent(acme, "sita@example.com")
    first = start(line, at - dt.timedelta(seconds=20), "CA-first")
    assert call_route(call_id=first.pk, at=at).agent == sita
    waiting = start(line, at, "CA-waiting")
    assert call_route(call_id=waiting.pk, at=at).agent is None
    with django_capture_on_commit_callbacks(execute=True):
        call_hung_up(call_id=first.pk, at=at)  # the first caller gives up while it rings
    waiting.refresh_from_db()
    assert (waiting.status, waiting.agent) == (Call.Status.OFFERED, sita)


@pytest.mark.parametrize("untried_position", [None, 0, 49, 50, 75])
def test_the_waiting_rule_reads_every_older_caller_and_what_each_already_rang(
    acme, line, at, untried_position
):
    """One older caller who never rang Sita needs her, wherever they are in the queue; when
    all of them rang her, she is spare for the young caller."""
    sita = routable_agent(acme, "sita@example.com")
    young = start(line, at, "CA-young")
    template = {
        "line": line,
        "firm": acme,
        "caller": LANDLINE_MANGALURU,
        "language": "en",
        "domain": line.domain,
        "sub_skill": line.sub_skill,
        "provider": "test",
        "status": Call.Status.QUEUED,
    }
    Call.objects.bulk_create(
        Call(
            **template,
            provider_call_id=f"CA-{n}",
            queued_at=at - dt.timedelta(minutes=90 - n),
            tried_agent_ids=[] if n == untried_position else [sita.pk],
        )
        for n in range(80)
    )
    older = older_waiting_calls_tried(call=young, limit=200)
    assert len(older) == 80
    expected = [] if untried_position is not None else [sita.pk]
    assert spare_agents([sita.pk], older) == expected


@pytest.mark.parametrize(
    ("pool", "older", "spare"),
    [
        ([1, 2, 3], [], [1, 2, 3]),
        ([1, 2, 3], [set(), set()], [1, 2, 3]),  # two callers, three agents: any one is spare
        ([1, 2], [set(), set()], []),
        ([1, 2], [set(), set(), set()], []),
        ([1, 2], [{2}], [2]),  # the caller rang 2: only 1 can serve them
        ([1, 2], [{2}, {1}], []),
        ([1, 2, 3], [{2, 3}, {1, 3}], [3]),
        ([1, 2, 3], [{1, 2}, {1, 2}, {1, 2}], [1, 2]),  # three callers, only 3 for them
    ],
)
def test_an_agent_is_spare_when_the_older_callers_are_matched_as_well_without_them(
    pool, older, spare
):
    assert spare_agents(pool, [frozenset(x) for x in older]) == spare


def test_an_agent_going_on_duty_is_offered_the_longest_waiting_caller_at_once(
    acme, line, at, django_capture_on_commit_callbacks
):
    from agents.services import agent_duty_set

    older = start(line, at - dt.timedelta(seconds=60), "CA-old")
    younger = start(line, at - dt.timedelta(seconds=30), "CA-young")
    sita = routable_agent(acme, "sita@example.com")
    AgentProfile.objects.filter(pk=sita.pk).update(duty_status="offline")
    with django_capture_on_commit_callbacks(execute=True):
        agent_duty_set(agent=sita, available=True)
    older.refresh_from_db()
    younger.refresh_from_db()
    assert (older.status, older.agent) == (Call.Status.OFFERED, sita)
    assert (younger.status, younger.agent) == (Call.Status.QUEUED, None)
    assert RoutingDecision.objects.get(call=older).outcome == "dispatched"
