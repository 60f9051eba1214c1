"""The agent's submit and the wrap-up limit at the same moment, on PostgreSQL with real
threads: exactly one wins — the call is submitted or missed, never both, never neither."""

import datetime as dt

import pytest
from django.utils import timezone

from agents.models import AgentProfile
from common.errors import ConflictError
from routing.models import Call
from routing.services import (
    call_answered,
    call_completed_with,
    call_route,
    call_start,
    call_wrap_up_submit,
    wrap_up_end,
)
from tests.factories import PhoneLineFactory
from tests.routing.concurrency import agents_engaged, in_threads
from tests.routing.conftest import LANDLINE_MANGALURU, routing_now
from tests.routing.workspace_calls import with_codes

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def in_wrap_up(line, agent, n: int) -> Call:
    at = routing_now()
    call = call_start(
        provider="race",
        provider_call_id=f"CA{n}",
        to=str(line.number),
        caller=LANDLINE_MANGALURU,
        at=at,
    )
    call = call_route(call_id=call.pk, at=at).call
    assert call.agent_id == agent.pk
    call_answered(call_id=call.pk)
    call_completed_with(call_id=call.pk, duration=30)
    # The limit is due now: the sweep's wrap_up_end may end it as the agent submits.
    AgentProfile.objects.filter(pk=agent.pk).update(
        wrap_up_until=timezone.now() - dt.timedelta(seconds=1)
    )
    return call


def test_a_submit_and_the_limit_at_once_end_the_wrap_up_exactly_once(acme):
    line = PhoneLineFactory(firm=acme, wrap_up_seconds=30)
    codes = with_codes(line)
    (agent,) = agents_engaged(acme, 1, at=routing_now())
    winners = set()
    for n in range(12):
        call = in_wrap_up(line, agent, n)
        submit = lambda c=call: call_wrap_up_submit(  # noqa: E731
            call_id=c.pk, agent=agent, disposition_id=codes["RES"].pk, notes="Done"
        )
        ended_by_time = lambda: wrap_up_end(agent_id=agent.pk)  # noqa: E731
        submitted, timed_out = in_threads([submit, ended_by_time], together=2, workers=2)

        call.refresh_from_db()
        if call.wrap_up == Call.WrapUp.SUBMITTED:
            assert isinstance(submitted, Call) and timed_out is False
        else:
            assert call.wrap_up == Call.WrapUp.MISSED and call.disposition is None
            assert isinstance(submitted, ConflictError) and timed_out is True
        winners.add(call.wrap_up)
        agent.refresh_from_db()
        assert agent.duty_status == AgentProfile.Duty.AVAILABLE
    assert winners <= {"submitted", "missed"}
