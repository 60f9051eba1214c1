"""The generic API for the agency's telephony providers: what to dial (agents' numbers, so an
agency key only) and the events of each attempt, through the same services as Twilio's."""

import pytest

from campaigns.models import Attempt, CampaignContact
from clients.services import api_key_create
from tests.campaigns.telephony import CONTACT_NUMBER, fresh, placed

pytestmark = pytest.mark.django_db
KEY = "exotel-outbound-key"
DIALS = "/api/v1/outbound/dials/"


@pytest.fixture
def line(outbound_line):
    return outbound_line


@pytest.fixture
def provider_api(client, settings):
    settings.ROUTING_PROVIDER_KEYS = {"exotel": KEY}
    settings.CAMPAIGNS_PROVIDER = "api"
    client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {KEY}"
    return client


def event(client, attempt, name: str, **body):
    return client.post(
        f"/api/v1/outbound/attempts/{attempt.pk}/events/",
        {"event": name} | body,
        content_type="application/json",
    )


def test_a_placed_attempt_is_listed_with_both_numbers_and_the_lines_caller_id(
    acme, line, meera, provider_api
):
    attempt = placed(meera, firm=acme, line=line)
    [dial] = provider_api.get(DIALS).json()["results"]
    assert dial["attempt"] == attempt.pk
    assert dial["agent_number"] == str(meera.phone)
    assert dial["caller_id"] == str(line.number)
    assert dial["contact_number"] == CONTACT_NUMBER
    assert dial["ring_timeout"] == 20 and dial["opt_out_prompt"] is False


def test_a_whole_call_reported_by_the_provider_ends_connected(acme, line, meera, provider_api):
    attempt = placed(meera, firm=acme, line=line)
    assert event(provider_api, attempt, "dialled", provider_call_id="EX-9").json()["status"] == (
        "agent"
    )
    assert provider_api.get(DIALS).json()["results"] == []  # dialled: no longer waiting
    assert event(provider_api, attempt, "agent_answered").json()["status"] == "contact"
    assert event(provider_api, attempt, "contact_answered").json()["status"] == "connected"
    body = event(provider_api, attempt, "completed", duration=64).json()
    assert (body["status"], body["outcome"], body["talk_seconds"]) == ("ended", "connected", 64)
    # Repeats and late events change nothing.
    again = event(provider_api, attempt, "busy").json()
    assert (again["outcome"], again["talk_seconds"]) == ("connected", 64)
    assert event(provider_api, attempt, "dialled", provider_call_id="EX-10").json()[
        "provider_call_id"
    ] == ("EX-9")


@pytest.mark.parametrize("outcome", ["no_answer", "busy", "failed", "machine"])
def test_a_contact_not_reached_is_retried_by_its_rule(acme, line, meera, provider_api, outcome):
    attempt = placed(meera, firm=acme, line=line)
    event(provider_api, attempt, "dialled", provider_call_id="EX-1")
    event(provider_api, attempt, "agent_answered")
    assert event(provider_api, attempt, outcome).json()["outcome"] == outcome
    assert fresh(attempt).target.state == CampaignContact.State.PENDING


def test_the_agent_missing_the_call_is_reported_as_agent_missed(acme, line, meera, provider_api):
    attempt = placed(meera, firm=acme, line=line)
    event(provider_api, attempt, "dialled", provider_call_id="EX-1")
    assert event(provider_api, attempt, "agent_missed").json()["outcome"] == "agent_missed"
    meera.refresh_from_db()
    assert meera.no_answer_strikes == 1


def test_an_opt_out_reported_by_the_provider_refuses_the_contact(acme, line, meera, provider_api):
    attempt = placed(meera, firm=acme, line=line)
    event(provider_api, attempt, "dialled", provider_call_id="EX-1")
    event(provider_api, attempt, "agent_answered")
    event(provider_api, attempt, "contact_answered")
    assert event(provider_api, attempt, "opted_out").json()["outcome"] == "opted_out"
    assert fresh(attempt).target.state == CampaignContact.State.REFUSED


def test_missing_event_details_are_a_400(acme, line, meera, provider_api):
    attempt = placed(meera, firm=acme, line=line)
    assert event(provider_api, attempt, "dialled").status_code == 400
    assert event(provider_api, attempt, "completed").status_code == 400
    assert event(provider_api, attempt, "teleport").status_code == 400
    assert event(provider_api, attempt, "completed", duration=-1).status_code == 400
    assert fresh(attempt).status == Attempt.Status.AGENT


def test_twilios_attempts_and_unknown_ids_are_a_404(acme, line, meera, provider_api, settings):
    settings.CAMPAIGNS_PROVIDER = "twilio"
    attempt = placed(meera, firm=acme, line=line)
    assert provider_api.get(DIALS).json()["results"] == []
    assert event(provider_api, attempt, "agent_answered").status_code == 404
    attempt.pk = 10**9
    assert event(provider_api, attempt, "agent_answered").status_code == 404


def test_a_firms_key_never_sees_agents_numbers(client, acme, carol, line, meera, settings):
    settings.CAMPAIGNS_PROVIDER = "api"
    attempt = placed(meera, firm=acme, line=line)
    _key, raw = api_key_create(firm=acme, user=carol, name="PBX")
    client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {raw}"
    response = client.get(DIALS)
    assert response.status_code == 403
    assert str(meera.phone) not in response.content.decode()
    assert event(client, attempt, "agent_answered").status_code == 403
    assert fresh(attempt).status == Attempt.Status.AGENT


def test_no_key_is_a_401(client, acme, line, meera, settings):
    settings.CAMPAIGNS_PROVIDER = "api"
    placed(meera, firm=acme, line=line)
    assert client.get(DIALS).status_code == 401
