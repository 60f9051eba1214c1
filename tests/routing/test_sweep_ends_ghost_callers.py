"""Ghost callers: Twilio does not retry a failed status callback, so a caller who hung up on
hold during an outage would stay "queued" for ever and hold back every later caller of the
firm and language. Past the line's maximum wait plus a margin, the sweep ends them."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from routing.models import Call
from routing.services import call_route, call_start
from routing.services import routing_sweep as sweep
from tests.factories import PhoneLineFactory
from tests.routing.conftest import LANDLINE_MANGALURU, routable_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def at(at):
    """At least ten minutes past midnight in India: the ghost starts minutes before `at`, and
    run at 00:03 it began at 23:59, outside the test line's 00:00-23:59 hours (CI, once)."""
    local = timezone.localtime(at)
    early = local.replace(hour=0, minute=10, second=0, microsecond=0)
    return early if local < early else at  # (tried with a clock ten minutes ahead: it holds)


def start(line, at, sid) -> Call:
    to = str(line.number)
    return call_start(
        provider="twilio", provider_call_id=sid, to=to, caller=LANDLINE_MANGALURU, at=at
    )


def test_a_caller_who_hung_up_unheard_stops_holding_back_the_next_caller(acme, at):
    line = PhoneLineFactory(firm=acme, max_wait_seconds=60)
    bound = dt.timedelta(seconds=line.max_wait_seconds + settings.ROUTING_WAITING_MARGIN_SECONDS)
    ghost = start(line, at - bound - dt.timedelta(seconds=1), "CA-ghost")
    sita = routable_agent(acme, "sita@example.com")
    caller = start(line, at, "CA-caller")
    assert call_route(call_id=caller.pk, at=at).agent is None  # behind the ghost

    assert sweep(at=at)["waiting_ended"] == 1
    ghost.refresh_from_db()
    assert (ghost.status, ghost.ended_at) == (Call.Status.ABANDONED, at)
    assert call_route(call_id=caller.pk, at=at).agent == sita
    assert sweep(at=at)["waiting_ended"] == 0  # twice is once


def test_a_caller_within_the_bound_keeps_waiting(acme, at):
    # Past the maximum wait a caller records a message (up to 120 s): the margin covers it.
    line = PhoneLineFactory(firm=acme, max_wait_seconds=60)
    bound = dt.timedelta(seconds=line.max_wait_seconds + settings.ROUTING_WAITING_MARGIN_SECONDS)
    recording = start(line, at - bound + dt.timedelta(seconds=1), "CA-recording")
    assert sweep(at=at)["waiting_ended"] == 0
    recording.refresh_from_db()
    assert recording.status == Call.Status.QUEUED
