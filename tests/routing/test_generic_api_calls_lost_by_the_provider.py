"""The generic call API has nobody to ask when a provider's final event never comes: the sweep
closes the call as lost (agent freed, flagged for staff), and a late "completed" bills it once."""

import datetime as dt

import pytest
from django.conf import settings

from billing.models import Transaction
from routing.models import Call
from routing.services import routing_sweep as sweep
from tests.routing.conftest import routable_agent, routing_now

pytestmark = pytest.mark.django_db
KEY = {"HTTP_AUTHORIZATION": "Api-Key exotel-secret"}


@pytest.fixture(autouse=True)
def provider_key(settings):
    settings.ROUTING_PROVIDER_KEYS = {"exotel": "exotel-secret"}


def post(client, path: str, body: dict):
    return client.post(f"/api/v1/{path}", body, content_type="application/json", **KEY)


def test_a_talk_with_no_end_reported_is_lost_then_billed_once_when_the_end_comes(
    client, acme, line
):
    sita = routable_agent(acme, "sita@example.com")
    routed = post(
        client, "calls/", {"call_id": "EX1", "from": "+918242440000", "to": str(line.number)}
    )
    assert routed.json()["dial"] == str(sita.phone)
    post(client, "calls/EX1/events/", {"event": "answered"})
    bound = dt.timedelta(seconds=settings.ROUTING_TALK_BOUND_SECONDS + 1)
    assert sweep(at=routing_now() + bound)["reservations_freed"] == 1
    call = Call.objects.get()
    sita.refresh_from_db()
    assert (call.status, call.needs_review, sita.duty_status) == ("lost", True, "available")

    late = post(client, "calls/EX1/events/", {"event": "completed", "duration": 300})
    assert late.status_code == 200 and late.json()["call"]["status"] == "completed"
    post(client, "calls/EX1/events/", {"event": "completed", "duration": 300})  # again
    call.refresh_from_db()
    sita.refresh_from_db()
    assert (call.talk_seconds, sita.duty_status) == (300, "available")  # no second wrap-up
    assert Transaction.objects.filter(call=call).count() == 1
