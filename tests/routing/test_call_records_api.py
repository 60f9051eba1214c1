"""Issue 16: a firm reads its call records through the API — filters, cursor pages, one call
with its disposition, notes (only if the firm includes them), survey score, transfer and
decisions — with its own key only, never another firm's calls, never an agent's phone."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from agents.models import AgentProfile
from clients.models import DispositionCode
from clients.services import api_key_create
from clients.webhooks import firm_records_notes_set
from routing import apis
from routing.models import Call
from tests.factories import PhoneLineFactory
from tests.routing.conftest import PROVIDER_KEY, api_event, api_route, routable_agent
from tests.routing.test_agents_numbers_never_reach_a_firm import SECRET_NUMBER, _leaks

pytestmark = pytest.mark.django_db

RECORDS = "/api/v1/call-records/"


@pytest.fixture
def sita(acme, line):
    agent = routable_agent(acme, "sita@example.com")
    AgentProfile.objects.filter(pk=agent.pk).update(phone=SECRET_NUMBER)
    return agent


@pytest.fixture
def firm_api(client, acme, carol):
    _key, raw = api_key_create(firm=acme, user=carol, name="CRM")
    client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {raw}"
    return client


@pytest.fixture
def answered(firm_api, line, sita):
    """One answered call on acme's line, wrapped up with a disposition, notes and a score."""
    api_route(firm_api, line, "EX1")
    api_event(firm_api, "EX1", "answered", attempt=1)
    api_event(firm_api, "EX1", "completed", duration=60, attempt=1)
    code = DispositionCode.objects.create(line=line, code="RES", label="Resolved", kind="resolved")
    Call.objects.filter(provider_call_id="EX1").update(
        wrap_up="submitted", disposition=code, notes="Renewed the policy", survey_score=4
    )
    return Call.objects.get(provider_call_id="EX1")


def test_a_firm_lists_its_calls_with_disposition_and_survey(firm_api, answered, sita):
    body = firm_api.get(RECORDS).json()
    [record] = body["results"]
    assert record["id"] == answered.pk
    assert record["disposition"] == {"code": "RES", "label": "Resolved"}
    assert record["survey_score"] == 4
    assert record["agent"] == {"id": sita.pk, "name": sita.full_name}
    assert (record["transferred"], body["next_cursor"]) == (False, None)


def test_notes_go_out_only_when_the_firm_includes_them(firm_api, answered, acme, carol):
    detail = f"{RECORDS}{answered.pk}/"
    assert firm_api.get(detail).json()["notes"] is None
    firm_records_notes_set(firm=acme, user=carol, notes_in_records=True)
    assert firm_api.get(detail).json()["notes"] == "Renewed the policy"
    assert firm_api.get(RECORDS).json()["results"][0]["notes"] == "Renewed the policy"


def test_one_call_carries_its_decisions_by_name_and_distance_only(firm_api, answered, sita):
    body = firm_api.get(f"{RECORDS}{answered.pk}/")
    assert body.status_code == 200
    [decision] = body.json()["decisions"]
    assert decision["chosen"] == {"id": sita.pk, "name": sita.full_name}
    assert all(set(c) == {"name", "km"} for c in decision["candidates"])
    assert _leaks(body.content.decode()) == []
    assert _leaks(firm_api.get(RECORDS).content.decode()) == []


def test_filters_narrow_the_list(firm_api, answered, line, acme, sita):
    other = PhoneLineFactory(firm=acme)
    api_route(firm_api, other, "EX2")  # sita is in wrap-up: this one waits
    today = timezone.localdate().isoformat()

    def ids(**query):
        answer = firm_api.get(RECORDS, query)
        assert answer.status_code == 200, answer.content
        return [r["provider_call_id"] for r in answer.json()["results"]]

    assert ids() == ["EX2", "EX1"]
    assert ids(line=line.pk) == ["EX1"]
    assert ids(line_number=str(other.number)) == ["EX2"]
    assert ids(agent=sita.pk) == ["EX1"]
    assert ids(status="queued") == ["EX2"]
    assert ids(disposition="RES") == ["EX1"]
    assert ids(date_from=today, date_to=today) == ["EX2", "EX1"]
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    assert ids(date_to=yesterday) == []


@pytest.mark.parametrize(
    "query",
    [
        {"status": "nonsense"},
        {"date_from": "2026-13-01"},
        {"date_from": "1999-01-01"},
        {"date_from": "2025-01-01", "date_to": "2024-01-01"},
        {"date_from": "2020-01-01", "date_to": "2024-01-01"},  # more than a year
        {"agent": "0"},
        {"line": "99999999999"},
        {"line_number": "not a number"},
        {"cursor": "forged"},
    ],
)
def test_bad_filters_are_a_400_with_a_message(firm_api, query):
    answer = firm_api.get(RECORDS, query)
    assert answer.status_code == 400, answer.content
    assert answer.json()["message"]


def test_the_cursor_walks_every_call_once(firm_api, answered, line, monkeypatch):
    monkeypatch.setattr(apis.CALL_RECORD_PAGES, "size", 2)
    for n in range(2, 6):
        api_route(firm_api, line, f"EX{n}")
    seen, cursor = [], None
    while True:
        body = firm_api.get(RECORDS, {"cursor": cursor} if cursor else {}).json()
        seen += [r["provider_call_id"] for r in body["results"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == ["EX5", "EX4", "EX3", "EX2", "EX1"]


def test_another_firms_calls_are_not_there(client, answered, globex, dave):
    _key, raw = api_key_create(firm=globex, user=dave, name="Theirs")
    client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {raw}"
    assert client.get(RECORDS).json()["results"] == []
    answer = client.get(f"{RECORDS}{answered.pk}/")
    assert answer.status_code == 404


def test_a_provider_key_is_refused_the_firms_records(client, settings, answered):
    settings.ROUTING_PROVIDER_KEYS = {"exotel": PROVIDER_KEY}
    client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {PROVIDER_KEY}"
    assert client.get(RECORDS).status_code == 403
    assert client.get(f"{RECORDS}{answered.pk}/").status_code == 403


def test_no_key_is_a_401(client):
    assert client.get(RECORDS).status_code == 401


def _csv(client) -> list[list[str]]:
    import csv
    import io

    response = client.get(reverse("calls:history_csv"))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_calls_csv_has_disposition_survey_and_transfer_and_notes_if_included(
    client, answered, acme, carol
):
    client.defaults.pop("HTTP_AUTHORIZATION", None)
    client.force_login(carol)
    header, row = _csv(client)
    assert header[-3:] == ["disposition", "survey score", "transferred"]
    assert row[-3:] == ["RES Resolved", "4", ""]
    assert "Renewed the policy" not in ",".join(row)
    firm_records_notes_set(firm=acme, user=carol, notes_in_records=True)
    header, row = _csv(client)
    assert (header[-1], row[-1]) == ("notes", "Renewed the policy")
    assert _leaks(",".join(row)) == []


def test_a_page_of_records_reads_in_a_fixed_number_of_queries(
    firm_api, answered, line, django_assert_num_queries
):
    for n in range(2, 8):
        api_route(firm_api, line, f"EX{n}")
    firm_api.get(RECORDS)  # warm the key's cache
    with django_assert_num_queries(2):  # the key (its firm joined), the page: none per call
        assert len(firm_api.get(RECORDS).json()["results"]) == 7
