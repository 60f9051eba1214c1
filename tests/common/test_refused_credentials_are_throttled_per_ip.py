"""DRF checks throttles only after authentication and permissions pass, so a request with a
wrong API key (401) or none at all (401/403) was never counted: one IP could guess keys, or
load the key lookup, without limit (seen live: 260 requests in a row, every one a 401).
Refused credentials now count against the IP's `api_ip` rate, and past it answer 429."""

import pytest

pytestmark = pytest.mark.django_db

LINES = "/api/v1/lines/"
WRONG = {"HTTP_AUTHORIZATION": "Api-Key hsk_deadbeef_" + "x" * 43}


@pytest.fixture
def low_rates(settings):
    rates = {"api_key": "3/min", "api_provider": "5/min", "api_ip": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


@pytest.mark.parametrize("credentials", [WRONG, {}], ids=["wrong key", "no key"])
def test_refused_credentials_past_the_ip_rate_get_a_429(client, low_rates, credentials):
    statuses = [
        client.get(LINES, REMOTE_ADDR="10.0.0.9", **credentials).status_code for _ in range(3)
    ]
    assert statuses[:2] == [401, 401] or statuses[:2] == [403, 403]
    assert statuses[2] == 429


def test_another_ip_is_not_held_back_by_one_guessing(client, low_rates):
    for _ in range(3):
        client.get(LINES, REMOTE_ADDR="10.0.0.9", **WRONG)
    assert client.get(LINES, REMOTE_ADDR="10.0.0.10", **WRONG).status_code == 401
