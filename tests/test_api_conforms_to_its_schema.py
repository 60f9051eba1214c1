"""schemathesis against `/api/schema/` (drf-spectacular), in-process over WSGI: every operation
with a firm's API key and with an agency provider key — no server error, every status and body
as the schema declares, bad input refused and good input taken.

Modest on purpose (a fixed seed, 25 examples an operation, no shrinking) so it runs in the
suite, on SQLite and on PostgreSQL.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from clients.services import api_key_create
from tests.factories import CampaignFactory, PhoneLineFactory, StaffingRequestFactory
from tests.routing.conftest import round_the_clock_request, routable_agent

PROVIDER_KEY = "schemathesis-provider-key"


# Loaded at collection from the app itself (no database needed: the schema is code).
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
# Query parameters the schema does not name are ignored, as HTTP APIs customarily do (and DRF
# does), rather than refused: not generated. The session cookie the schema also accepts is
# not generated either: these runs are about the API keys.
schema.config.generation.update(allow_extra_parameters=False, with_security_parameters=False)

# Posting a request or a call is refused (400) for rules a schema cannot state — an end date
# already past, a region the gazetteer does not know, a number that is none of the firm's
# lines — so valid-looking input is not expected to be taken there; every other check runs.
BUSINESS_RULES = {"POST"}
# The call records' filters too (issue 16): a cursor is one we signed, a range at most a year
# up to today, a line number a real phone number — the 400s say so; the rest is checked.
RULED_PATHS = {
    "/api/v1/call-records/",
    "/api/v1/campaigns/{id}/attempts/",
    "/api/v1/mail/conversations/",  # the cursor is one we signed (issue 18)
}


@pytest.fixture(autouse=True)
def _connection_kept_across_requests():
    """The WSGI app closes the database connection at the end of each request (CONN_MAX_AGE);
    inside a test that would close the test's own transaction (PostgreSQL: "connection
    already closed"). Django's test client unhooks the same receiver while it calls the app."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def keys(db, settings, acme, carol) -> dict[str, str]:
    """acme with a line, requests, an agent to route to and an API key; a provider key."""
    settings.ROUTING_PROVIDER_KEYS = {"exotel": PROVIDER_KEY}
    PhoneLineFactory(firm=acme)
    StaffingRequestFactory(firm=acme)
    round_the_clock_request(acme)
    routable_agent(acme, "sita@example.com")
    CampaignFactory(firm=acme)  # the campaigns API (issue 17) has one to show
    _key, raw = api_key_create(firm=acme, user=carol, name="Schemathesis")
    return {"firm": f"Api-Key {raw}", "provider": f"Api-Key {PROVIDER_KEY}"}


def _check(case, key: str) -> None:
    ruled = case.method.upper() in BUSINESS_RULES or case.path in RULED_PATHS
    excluded = [positive_data_acceptance] if ruled else []
    case.call_and_validate(headers={"Authorization": key}, excluded_checks=excluded)


CHECKED = settings(
    max_examples=25,
    derandomize=True,
    database=None,  # no saved examples: every run is the same run
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@CHECKED
def test_the_api_answers_a_firms_key_as_its_schema_says(case, keys):
    _check(case, keys["firm"])


@schema.parametrize()
@CHECKED
def test_the_api_answers_a_providers_key_as_its_schema_says(case, keys):
    _check(case, keys["provider"])
