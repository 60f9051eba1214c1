"""Oldest caller first — but never held back behind a caller the free agent cannot serve."""

import datetime as dt

import pytest

from agents.models import AgentProfile
from routing.models import Call, RoutingDecision
from routing.selectors import older_waiting_call_exists
from routing.services import call_not_answered, call_route, call_start, queue_dispatch
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


def test_a_younger_caller_waits_while_the_older_could_take_another_free_agent(acme, line, at):
    sita = routable_agent(acme, "sita@example.com", idle_since=at - dt.timedelta(hours=1))
    missed_by(sita, line, at - dt.timedelta(seconds=30))
    ravi = routable_agent(acme, "ravi@example.com")  # free, and the older caller never tried him
    younger = start(line, at, "CA-young")
    placement = call_route(call_id=younger.pk, at=at)
    assert placement.agent is None
    assert RoutingDecision.objects.get(call=younger).outcome == "waiting_behind_older"
    assert AgentProfile.objects.get(pk=ravi.pk).duty_status == "available"


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
def test_the_older_caller_check_reads_past_its_first_page(acme, line, at, untried_position):
    """`older_waiting_call_exists` reads older callers 50 at a time: one who never rang Sita
    holds the young caller back wherever they are in the queue; none does when all rang her."""
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
    expected = untried_position is not None
    assert older_waiting_call_exists(call=young, agent_ids={sita.pk}) is expected
