"""Issue 13: the API is rate limited per API key and per IP (rates from settings, lowered
here); a throttled request is a 429 in the house error format with Retry-After. Twilio's
webhooks are never throttled."""

import pytest

from clients.services import api_key_create
from tests.factories import PhoneLineFactory
from tests.routing.conftest import VOICE, twilio_post, twilio_token, voice_params  # noqa: F401

pytestmark = pytest.mark.django_db

LINES = "/api/v1/lines/"


@pytest.fixture
def low_rates(settings):
    rates = {"api_key": "3/min", "api_provider": "5/min", "api_ip": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    return rates


def _key(firm, user, name="CRM") -> str:
    return api_key_create(firm=firm, user=user, name=name)[1]


def _get(client, raw: str | None = None, ip: str = "10.0.0.1"):
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {raw}"} if raw else {}
    return client.get(LINES, REMOTE_ADDR=ip, **headers)


def test_a_key_past_its_rate_gets_a_429_with_retry_after_in_the_house_format(
    client, acme, carol, low_rates
):
    raw = _key(acme, carol)
    assert [_get(client, raw).status_code for _ in range(3)] == [200, 200, 200]
    refused = _get(client, raw)
    assert refused.status_code == 429
    body = refused.json()
    assert set(body) == {"message", "extra"} and body["extra"]["retry_after"] > 0
    assert int(refused["Retry-After"]) == body["extra"]["retry_after"]


def test_each_key_has_its_own_count_whatever_the_ip(client, acme, globex, carol, dave, low_rates):
    acme_key, globex_key = _key(acme, carol), _key(globex, dave)
    for n in range(3):
        assert _get(client, acme_key, ip=f"10.0.0.{n}").status_code == 200
    assert _get(client, acme_key, ip="10.9.9.9").status_code == 429  # a new IP does not help
    assert _get(client, globex_key).status_code == 200


def test_requests_without_a_key_are_counted_per_ip(client, carol, low_rates):
    client.force_login(carol)
    assert [_get(client, ip="10.0.0.7").status_code for _ in range(2)] == [200, 200]
    assert _get(client, ip="10.0.0.7").status_code == 429
    assert _get(client, ip="10.0.0.8").status_code == 200


def test_anonymous_requests_are_counted_per_ip_where_anonymous_may_call(client, low_rates):
    answers = [client.get("/api/schema/", REMOTE_ADDR="10.0.0.9").status_code for _ in range(3)]
    assert answers == [200, 200, 429]


def test_without_credentials_the_answer_is_a_401_until_the_ip_rate(client, low_rates):
    # Refused credentials count against the IP too (common.api._ip_throttled): keys carry 256
    # random bits, but unlimited refused calls still load the key lookup from one address.
    assert [_get(client).status_code for _ in range(3)] == [401, 401, 429]


def test_twilio_webhooks_are_never_throttled(client, acme, low_rates):
    line = PhoneLineFactory(firm=acme)
    answers = [
        twilio_post(client, VOICE, voice_params(line, sid=f"CA{n}")).status_code for n in range(10)
    ]
    assert answers == [200] * 10


def test_an_agency_provider_key_has_its_own_generous_count(client, settings, low_rates):
    settings.ROUTING_PROVIDER_KEYS = {"exotel": "exotel-test-key"}
    headers = {"HTTP_AUTHORIZATION": "Api-Key exotel-test-key", "content_type": "application/json"}
    answers = [client.post("/api/v1/calls/", {}, **headers).status_code for _ in range(6)]
    assert answers == [400] * 5 + [429]  # bad input still counts; the sixth is over the rate
