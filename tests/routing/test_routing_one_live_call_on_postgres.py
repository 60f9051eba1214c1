"""Callers arriving, waiting, hanging up; agents answering, missing offers and freeing up, all
at once (PostgreSQL, real threads): no agent ever holds two live calls, and none deadlocks."""

import datetime as dt
import random

import pytest
from django.db.models import Count

from agents.models import AgentProfile
from routing.models import Call
from routing.services import (
    call_answered,
    call_completed_with,
    call_hung_up,
    call_not_answered,
    call_route,
    call_start,
)
from tests.factories import PhoneLineFactory
from tests.routing.concurrency import WORKERS, agents_engaged, in_threads
from tests.routing.conftest import LANDLINE_MANGALURU as LANDLINE
from tests.routing.conftest import routing_now

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def talked(call_id: int, at):
    call_answered(call_id=call_id, at=at)
    return call_completed_with(call_id=call_id, duration=30, at=at)  # no wrap-up: dispatched


def next_steps(line, wave: int, at, rng: random.Random) -> list:
    """What happens next to every call, and a few new callers (each routed at once)."""
    jobs = []
    for call in Call.objects.filter(status__in=["queued", "offered"]):
        if call.status == "queued":
            jobs.append(lambda c=call.pk: call_route(call_id=c, at=at))  # the hold loop
            continue
        event = rng.choice([talked, talked, call_hung_up, call_not_answered])
        if event is call_not_answered:
            jobs.append(lambda c=call.pk: call_not_answered(call_id=c, reason="busy", at=at))
        else:
            jobs.append(lambda c=call.pk, e=event: e(c, at) if e is talked else e(call_id=c, at=at))
    for n in range(4):
        sid = f"CA{wave}-{n}"
        when = at + dt.timedelta(microseconds=n)

        def arrive(sid=sid, when=when):
            call = call_start(
                provider="race", provider_call_id=sid, to=str(line.number), caller=LANDLINE, at=when
            )
            return call_route(call_id=call.pk, at=when)

        jobs.append(arrive)
    return rng.sample(jobs, len(jobs))


def test_no_agent_ever_holds_two_live_calls_while_calls_come_and_go(acme):
    at = routing_now()
    line = PhoneLineFactory(firm=acme, wrap_up_seconds=0)
    agents_engaged(acme, 8, at=at)
    rng = random.Random(12)
    for wave in range(12):
        at_wave = at + dt.timedelta(seconds=wave)
        jobs = next_steps(line, wave, at_wave, rng)
        outcomes = in_threads(jobs, together=min(len(jobs), WORKERS))

        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes  # no deadlock
        live = Call.objects.filter(status__in=Call.LIVE)
        per_agent = live.values("agent").annotate(n=Count("id"))
        assert {row["n"] for row in per_agent} <= {1}
        holding = AgentProfile.objects.filter(duty_status__in=["reserved", "on_call"])
        assert set(holding.values_list("pk", flat=True)) == {row["agent"] for row in per_agent}
