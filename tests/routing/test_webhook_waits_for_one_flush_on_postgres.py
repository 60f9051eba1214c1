"""A voice webhook waits for the disk once: the decision (an agent reserved) commits durably;
the new call's row and the stored answer commit without waiting for their WAL flush, since
losing them in a crash only means Twilio's retry is answered afresh."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from routing.models import Call, ProviderRequest
from routing.services import call_start
from tests.routing.conftest import VOICE, routable_agent, twilio_post, voice_params

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ASYNC = "SET LOCAL synchronous_commit TO OFF"


def transactions(queries) -> list[list[str]]:
    """The statements of each transaction, BEGIN to COMMIT."""
    found, current = [], None
    for sql in (q["sql"] for q in queries):
        if sql == "BEGIN":
            current = []
        elif sql == "COMMIT" and current is not None:
            found.append(current)
            current = None
        elif current is not None:
            current.append(sql)
    return found


def test_only_the_decision_waits_for_the_wal_flush(client, acme, line):
    sita = routable_agent(acme, "sita@example.com")
    with CaptureQueriesContext(connection) as captured:
        answer = twilio_post(client, VOICE, voice_params(line))
    assert answer.status_code == 200 and b"<Dial" in answer.content
    assert Call.objects.get().agent == sita and ProviderRequest.objects.count() == 1
    waits = {
        next(s.split()[2] for s in statements if s.startswith("INSERT")): ASYNC not in statements
        for statements in transactions(captured.captured_queries)
    }
    assert waits == {
        '"routing_call"': False,
        '"routing_routingdecision"': True,  # the reservation: durable before Twilio dials
        '"routing_providerrequest"': False,
    }


def test_inside_a_callers_transaction_nothing_is_made_asynchronous(acme, line):
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        call_start(
            provider="test", provider_call_id="CA9", to=str(line.number), caller="+918242440000"
        )
    assert ASYNC not in [q["sql"] for q in captured.captured_queries]
