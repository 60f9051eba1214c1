"""A call's times happen in order — queued <= offered <= answered <= ended — whatever the
provider reports: the services keep the order, and the Call's constraints refuse anything else."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from routing.models import Call
from tests.factories import PhoneLineFactory
from tests.routing.conftest import (
    VOICE,
    api_event,
    api_route,
    routable_agent,
    twilio_post,
    twiml,
    voice_params,
)

pytestmark = pytest.mark.django_db
SECOND = dt.timedelta(seconds=1)


@pytest.fixture
def line(acme):
    return PhoneLineFactory(firm=acme)


def assert_in_order(call: Call) -> None:
    times = [call.queued_at, call.offered_at, call.answered_at, call.ended_at]
    known = [t for t in times if t is not None]
    assert known == sorted(known), times


@pytest.mark.parametrize(
    ("field", "before"),
    [
        ("offered_at", "queued_at"),
        ("answered_at", "queued_at"),
        ("answered_at", "offered_at"),
        ("ended_at", "answered_at"),
        ("ended_at", "queued_at"),
    ],
)
def test_the_database_refuses_a_time_before_the_one_it_follows(client, acme, line, field, before):
    routable_agent(acme, "sita@example.com")
    twilio_post(client, VOICE, voice_params(line))
    call = Call.objects.get()
    Call.objects.filter(pk=call.pk).update(answered_at=call.offered_at, ended_at=call.offered_at)
    call.refresh_from_db()
    with pytest.raises(IntegrityError), transaction.atomic():
        Call.objects.filter(pk=call.pk).update(**{field: getattr(call, before) - SECOND})


def test_a_talk_longer_than_the_wait_is_answered_after_the_offer(client, acme, line):
    """Twilio's <Dial> action without the agent leg's "answered": 95 s talked, 0 s waited."""
    routable_agent(acme, "sita@example.com")
    action = twiml(twilio_post(client, VOICE, voice_params(line))).find("Dial").get("action")
    params = {"DialCallStatus": "completed", "DialCallDuration": "95"}
    assert (
        twiml(twilio_post(client, action, voice_params(line) | params)).find("Hangup") is not None
    )
    call = Call.objects.get()
    assert (call.status, call.talk_seconds) == ("completed", 95)
    assert_in_order(call)


@pytest.mark.parametrize(("event", "agents"), [("answered", 1), ("completed", 1), ("failed", 0)])
def test_an_event_timed_before_the_call_keeps_the_order(provider_api, acme, line, event, agents):
    """A provider's clock an hour behind ours: recorded no earlier than what it follows."""
    for n in range(agents):
        routable_agent(acme, f"agent{n}@example.com")
    api_route(provider_api, line)
    early = (Call.objects.get().queued_at - dt.timedelta(hours=1)).isoformat()
    response = api_event(provider_api, "EX1", event, at=early, duration=30)
    assert response.status_code == 200, response.content
    assert_in_order(Call.objects.get())
