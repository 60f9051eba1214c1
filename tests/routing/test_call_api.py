"""The JSON call API for providers other than Twilio: who may use it, bad input, each event."""

import pytest

from billing.models import Transaction
from clients.services import api_key_create
from routing.models import Call, RoutingDecision
from tests.factories import PhoneLineFactory
from tests.routing.conftest import (
    CALLS_API,
    MADURAI,
    api_event,
    api_route,
    routable_agent,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(acme):
    return PhoneLineFactory(firm=acme)


def firm_api(client, firm, user):
    _key, raw = api_key_create(firm=firm, user=user, name="Telephony")
    client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {raw}"
    return client


def test_a_provider_key_routes_a_call_to_the_nearest_agent(provider_api, acme, line):
    sita = routable_agent(acme, "sita@example.com")
    response = api_route(provider_api, line)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["next_step"], body["dial"], body["agent"]["id"]) == (
        "dial",
        str(sita.phone),
        sita.pk,
    )
    assert body["call"]["attempts"] == 1 and body["decision"]["outcome"] == "offered"
    assert Call.objects.get().provider == "exotel"


def test_without_a_key_or_with_a_wrong_one_nothing_is_routed(client, provider_api, line):
    del client.defaults["HTTP_AUTHORIZATION"]
    assert api_route(client, line).status_code in {401, 403}
    client.defaults["HTTP_AUTHORIZATION"] = "Api-Key not-a-key"
    response = api_route(client, line)
    assert response.status_code in {401, 403}
    assert set(response.json()) == {"message", "extra"}
    assert not Call.objects.exists()


def test_a_firms_key_routes_its_own_lines_only(client, acme, globex, carol, line):
    api = firm_api(client, acme, carol)
    assert api_route(api, line).status_code == 201
    response = api_route(api, PhoneLineFactory(firm=globex), call_id="EX2")
    assert response.status_code == 404 and set(response.json()) == {"message", "extra"}
    assert Call.objects.get().provider == f"firm-{acme.pk}"


def test_another_firms_call_id_is_a_404(client, acme, globex, carol, dave, line):
    api_route(firm_api(client, acme, carol), line)  # acme's call EX1
    response = api_event(firm_api(client, globex, dave), "EX1", "answered")
    assert response.status_code == 404 and set(response.json()) == {"message", "extra"}
    assert Call.objects.get().status == "queued"


def test_a_firms_key_does_not_reach_the_providers_calls(client, provider_api, acme, carol, line):
    api_route(provider_api, line)  # the provider's call EX1, on acme's line
    assert api_event(firm_api(client, acme, carol), "EX1", "failed").status_code == 404
    assert Call.objects.get().status == "queued"


@pytest.mark.parametrize(
    "body",
    [
        {"call_id": ""},
        {"from": "anonymous"},
        {"to": "not-a-number"},
        {"language": "xx"},
        {"language": "kn"},  # a real language the line does not offer
        {"caller_location": {"latitude": 200}},
        {"call_id": "C" * 65},
    ],
    ids=[
        "no-call-id",
        "bad-from",
        "bad-to",
        "unknown-language",
        "language-not-offered",
        "bad-latitude",
        "call-id-too-long",
    ],
)
def test_bad_call_input_is_a_4xx_with_a_message_and_changes_nothing(provider_api, line, body):
    response = api_route(provider_api, line, **body)
    assert 400 <= response.status_code < 500, response.content
    assert set(response.json()) == {"message", "extra"}
    assert not Call.objects.exists()


def test_a_line_with_several_languages_needs_one_named(provider_api, acme):
    line = PhoneLineFactory(firm=acme, languages=["en", "kn"])
    response = api_route(provider_api, line)
    assert response.status_code == 400
    assert response.json()["extra"]["fields"] == {"language": [response.json()["message"]]}


@pytest.mark.parametrize(
    "body",
    [
        {"event": "exploded"},
        {"event": "completed", "duration": -5},
        {"event": "completed", "duration": 10**9},
        {"event": "answered", "at": "yesterday-ish"},
        {"event": "answered", "attempt": 0},
        {"event": "completed"},  # never answered: how long was it?
    ],
    ids=["unknown-event", "negative", "huge", "bad-at", "attempt-zero", "no-duration"],
)
def test_a_bad_event_is_a_4xx_with_a_message_and_changes_nothing(provider_api, acme, line, body):
    routable_agent(acme, "sita@example.com")
    api_route(provider_api, line)
    response = provider_api.post(f"{CALLS_API}EX1/events/", body, content_type="application/json")
    assert 400 <= response.status_code < 500, response.content
    assert set(response.json()) == {"message", "extra"}
    assert Call.objects.get().status == "offered"


def test_answered_then_completed_closes_the_call_once(
    provider_api, acme, line, django_capture_on_commit_callbacks
):
    routable_agent(acme, "sita@example.com")
    api_route(provider_api, line)
    for _repeat in range(2):
        talking = api_event(provider_api, "EX1", "answered", attempt=1).json()
        assert (talking["next_step"], talking["call"]["status"]) == ("talking", "in_progress")
    for _repeat in range(2):
        with django_capture_on_commit_callbacks(execute=True):  # billing listens on commit
            ended = api_event(provider_api, "EX1", "completed", duration=95, attempt=1).json()
        assert (ended["next_step"], ended["call"]["talk_seconds"]) == ("hangup", 95)
    assert Transaction.objects.count() == 1


def test_a_failed_event_after_the_answer_is_a_409(provider_api, acme, line):
    routable_agent(acme, "sita@example.com")
    api_route(provider_api, line)
    api_event(provider_api, "EX1", "answered")
    response = api_event(provider_api, "EX1", "failed")
    assert response.status_code == 409 and set(response.json()) == {"message", "extra"}


@pytest.mark.parametrize("event", ["no_answer", "busy", "failed"])
def test_a_repeated_miss_about_the_first_offer_leaves_the_second_ringing(
    provider_api, acme, line, event
):
    routable_agent(acme, "sita@example.com")
    ravi = routable_agent(acme, "ravi@example.com", lat=MADURAI[0], lon=MADURAI[1])
    api_route(provider_api, line)
    first = api_event(provider_api, "EX1", event, attempt=1).json()
    again = api_event(provider_api, "EX1", event, attempt=1).json()
    assert first["dial"] == again["dial"] == str(ravi.phone)
    call = Call.objects.get()
    assert (call.status, call.agent, call.attempts) == ("offered", ravi, 2)
    assert RoutingDecision.objects.count() == 2


def test_asking_again_about_a_placed_call_gets_the_same_agent(provider_api, acme, line):
    sita = routable_agent(acme, "sita@example.com")
    first = api_route(provider_api, line)
    again = api_route(provider_api, line)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["dial"] == str(sita.phone) and RoutingDecision.objects.count() == 1
