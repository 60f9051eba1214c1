"""The call API's `survey` event: a completed call's rating, 1-5, stored once."""

import pytest

from clients.services import api_key_create
from routing.models import Call
from tests.factories import PhoneLineFactory
from tests.routing.conftest import api_event, api_route, routable_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(acme):
    return PhoneLineFactory(firm=acme, survey_enabled=True)


def completed(client, line, call_id="EX1"):
    api_route(client, line, call_id)
    api_event(client, call_id, "answered", attempt=1)
    api_event(client, call_id, "completed", duration=60, attempt=1)


def score_of(call_id="EX1"):
    return Call.objects.get(provider_call_id=call_id).survey_score


def test_a_completed_calls_score_is_stored(provider_api, acme, line):
    routable_agent(acme, "sita@example.com")
    completed(provider_api, line)
    response = api_event(provider_api, "EX1", "survey", score=5)
    assert response.status_code == 200, response.content
    assert response.json()["next_step"] == "hangup"
    assert score_of() == 5


@pytest.mark.parametrize("score", [0, 6, -1, None])
def test_a_score_outside_one_to_five_is_a_400(provider_api, acme, line, score):
    routable_agent(acme, "sita@example.com")
    completed(provider_api, line)
    extra = {} if score is None else {"score": score}
    response = api_event(provider_api, "EX1", "survey", **extra)
    assert response.status_code == 400
    assert "score" in response.json()["extra"]["fields"]
    assert score_of() is None


def test_a_call_not_completed_cannot_be_rated(provider_api, acme, line):
    routable_agent(acme, "sita@example.com")
    api_route(provider_api, line)
    assert api_event(provider_api, "EX1", "survey", score=3).status_code == 409
    assert score_of() is None


def test_the_same_score_again_is_a_repeat_and_another_is_refused(provider_api, acme, line):
    routable_agent(acme, "sita@example.com")
    completed(provider_api, line)
    assert api_event(provider_api, "EX1", "survey", score=2).status_code == 200
    assert api_event(provider_api, "EX1", "survey", score=2).status_code == 200
    assert api_event(provider_api, "EX1", "survey", score=4).status_code == 409
    assert score_of() == 2


def test_a_line_with_the_survey_off_takes_no_score(provider_api, acme):
    routable_agent(acme, "sita@example.com")
    completed(provider_api, PhoneLineFactory(firm=acme))
    assert api_event(provider_api, "EX1", "survey", score=4).status_code == 409


def test_another_firms_key_cannot_rate_the_call(provider_api, acme, line, globex, dave):
    routable_agent(acme, "sita@example.com")
    completed(provider_api, line)
    _key, raw = api_key_create(firm=globex, user=dave, name="PBX")
    provider_api.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {raw}"
    assert api_event(provider_api, "EX1", "survey", score=1).status_code == 404
    assert score_of() is None
