"""Issue 16: the facts a firm's endpoints hear of — call answered, call missed, voicemail left,
invoice issued — written with the fact, sent to a real local server, never with the agent's
personal number in them."""

import json

import pytest

from agents.models import AgentProfile
from clients.deliveries import deliveries_sweep
from clients.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from clients.services import api_key_create
from routing.models import Call
from routing.services.events import call_hung_up, call_voicemail
from tests.billing.factories import last_month, ledger_row, settle
from tests.clients.receiver import Receiver
from tests.routing.conftest import api_event, api_route, routable_agent
from tests.routing.test_agents_numbers_never_reach_a_firm import SECRET_NUMBER, _leaks

pytestmark = pytest.mark.django_db

SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
RECORDING = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"


@pytest.fixture
def server():
    receiver = Receiver()
    yield receiver
    receiver.stop()


@pytest.fixture
def hooked(acme, server):
    return WebhookEndpoint.objects.create(
        firm=acme, url=server.url, secret=SECRET, events=list(WebhookEvent.values)
    )


@pytest.fixture
def sita(acme, line):
    agent = routable_agent(acme, "sita@example.com")
    AgentProfile.objects.filter(pk=agent.pk).update(phone=SECRET_NUMBER)
    return agent


@pytest.fixture
def firm_api(client, acme, carol):
    _key, raw = api_key_create(firm=acme, user=carol, name="PBX")
    client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {raw}"
    return client


def _events() -> list[tuple[str, dict]]:
    return [(d.event, d.payload) for d in WebhookDelivery.objects.order_by("pk")]


def test_answered_missed_voicemail_and_invoice_reach_the_firm_without_the_agents_number(
    firm_api, acme, line, sita, hooked, server
):
    assert api_route(firm_api, line, "EX1").status_code == 201
    api_event(firm_api, "EX1", "answered", attempt=1)
    api_event(firm_api, "EX1", "completed", duration=60, attempt=1)
    answered = Call.objects.get(provider_call_id="EX1")
    [(event, payload)] = _events()
    assert event == "call.answered"
    assert payload["data"]["call_id"] == answered.pk
    assert payload["data"]["agent"] == {"id": sita.pk, "name": sita.full_name}

    api_route(firm_api, line, "EX2")  # sita is in wrap-up: the caller waits, then hangs up
    missed = Call.objects.get(provider_call_id="EX2")
    call_hung_up(call_id=missed.pk)
    api_route(firm_api, line, "EX3")
    voicemail = Call.objects.get(provider_call_id="EX3")
    call_voicemail(call_id=voicemail.pk)  # the recording comes later: no event yet
    call_voicemail(call_id=voicemail.pk, recording_url=RECORDING)
    call_voicemail(call_id=voicemail.pk, recording_url=RECORDING)  # a repeat: still once
    assert [e for e, _ in _events()] == ["call.answered", "call.missed", "voicemail.left"]
    _, missed_payload = _events()[1]
    assert (missed_payload["data"]["status"], missed_payload["data"]["outcome"]) == (
        "abandoned",
        "Caller hung up",
    )
    assert _events()[2][1]["data"]["recording_url"] == RECORDING

    ledger_row(sita, acme, day=last_month())
    settle("firms", last_month())
    invoice = acme.invoices.get()
    event, payload = _events()[-1]
    assert event == "invoice.issued"
    data = payload["data"]
    assert (data["number"], data["currency"]) == (invoice.number, invoice.currency)
    assert data["total_with_tax"] == str(invoice.total_with_tax)
    assert data["due_on"] == invoice.issued_on.isoformat()
    assert "agent" not in json.dumps(data)

    deliveries_sweep()
    assert len(server.got) == 4
    server.verified(SECRET)
    for _headers, body in server.got:
        assert _leaks(body) == [], body


def test_an_endpoint_hears_only_the_events_it_chose(firm_api, acme, line, sita, hooked):
    hooked.events = ["call.missed"]
    hooked.save()
    api_route(firm_api, line, "EX1")
    api_event(firm_api, "EX1", "answered", attempt=1)
    assert _events() == []


def test_after_hours_calls_are_missed_calls(firm_api, acme, line, hooked):
    line.opens_at, line.closes_at = (
        line.closes_at.replace(hour=0, minute=0),
        line.closes_at.replace(hour=0, minute=1),
    )
    line.save()
    api_route(firm_api, line, "EX9")
    call = Call.objects.get(provider_call_id="EX9")
    if call.status != Call.Status.AFTER_HOURS:
        pytest.skip("run during the line's one open minute")
    [(event, payload)] = _events()
    assert (event, payload["data"]["status"]) == ("call.missed", "after_hours")
