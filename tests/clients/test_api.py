"""The firm API: each firm sees only its own requests, lines and engagements; posting a request
goes through the marketplace service, and its errors come back as `{"message", "extra"}`."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.marketplace import agents_assign, application_create, application_decide
from clients.models import Engagement, StaffingRequest
from clients.services import api_key_create
from tests.factories import MANGALURU, PhoneLineFactory, StaffingRequestFactory, verified_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, acme, carol):
    """A client speaking for acme with its API key."""
    _key, raw = api_key_create(firm=acme, user=carol, name="Acme CRM")
    client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {raw}"
    return client


def _body(**overrides) -> dict:
    today = timezone.localdate()
    body = {
        "title": "Claims desk",
        "domain": "insurance",
        "sub_skill": "claims",
        "days": "01234",
        "starts_at": "09:00",
        "ends_at": "18:00",
        "start_date": today.isoformat(),
        "end_date": (today + dt.timedelta(days=30)).isoformat(),
        "calls_per_hour": "200",
        "aht_seconds": 180,
        "target_level": 80,
        "target_seconds": 20,
        "shrinkage": 30,
        "rate_unit": "call",
        "rate": "40.00",
        "languages": ["en", "kn"],
        "regions": [MANGALURU["geoname_id"]],
    }
    return body | overrides


def _post(api, **overrides):
    body = _body(**overrides)
    return api.post(reverse("api-staffing-requests"), body, content_type="application/json")


def test_the_list_shows_only_the_firms_own_requests(api, acme, globex, django_assert_num_queries):
    mine = [StaffingRequestFactory(firm=acme, languages=["en", "kn"]) for _ in range(3)]
    StaffingRequestFactory(firm=globex)
    api.get(reverse("api-staffing-requests"))  # records the key's first use: one write
    # key, count, page, then languages, regions and lines prefetched: not one per request
    with django_assert_num_queries(6):
        body = api.get(reverse("api-staffing-requests")).json()
    assert body["count"] == 3
    assert [r["id"] for r in body["results"]] == [r.pk for r in reversed(mine)]
    assert body["results"][0]["languages"] == ["en", "kn"]


def test_another_firms_request_is_not_found(api, globex):
    theirs = StaffingRequestFactory(firm=globex)
    response = api.get(reverse("api-staffing-request", args=[theirs.pk]))
    assert response.status_code == 404
    assert set(response.json()) == {"message", "extra"}


def test_a_request_shows_its_figures_and_pool_counts(api, acme):
    mine = StaffingRequestFactory(firm=acme)
    application_create(agent=verified_agent("ravi@example.com"), request=mine)
    body = api.get(reverse("api-staffing-request", args=[mine.pk])).json()
    assert (body["rate"], body["calls_per_hour"], body["days"]) == ("40.00", "200.0", "012345")
    assert body["regions"] == [{"geoname_id": MANGALURU["geoname_id"], "name": MANGALURU["name"]}]
    assert (body["pending"], body["engaged"]) == (1, 0)


def test_lines_are_scoped_to_the_firm(api, acme, globex):
    mine = PhoneLineFactory(firm=acme, languages=["en", "kn"])
    theirs = PhoneLineFactory(firm=globex)
    assert [line["id"] for line in api.get(reverse("api-lines")).json()["results"]] == [mine.pk]
    body = api.get(reverse("api-line", args=[mine.pk])).json()
    assert body["number"] == mine.number.as_e164
    assert body["languages"] == [
        {"language": "en", "menu_digit": 1},
        {"language": "kn", "menu_digit": 2},
    ]
    assert api.get(reverse("api-line", args=[theirs.pk])).status_code == 404


def test_engagements_are_scoped_and_never_show_the_agents_rate(api, acme, carol, globex, root):
    mine = StaffingRequestFactory(firm=acme)
    ravi = verified_agent("ravi@example.com")
    application = application_create(agent=ravi, request=mine)
    application_decide(
        firm=acme, application_id=application.pk, approve=True, reason="", user=carol
    )
    theirs = StaffingRequestFactory(firm=globex)
    agents_assign(request=theirs, agent_ids=[verified_agent("sita@example.com").pk], user=root)
    assert Engagement.objects.count() == 2
    results = api.get(reverse("api-engagements")).json()["results"]
    assert [(e["agent"], e["request"]) for e in results] == [
        ({"id": ravi.pk, "name": ravi.full_name}, mine.pk)
    ]
    assert (results[0]["client_rate"], results[0]["status"]) == ("40.00", "active")
    assert not {"agent_rate", "agent_minimum_per_call"} & set(results[0])


def test_posting_a_request_sizes_it_with_erlang_c(api, acme, carol):
    response = _post(api)
    assert response.status_code == 201
    body = response.json()
    assert (body["agents_needed"], body["headcount"]) == (20, 20)
    assert (body["pending"], body["engaged"], body["currency"]) == (0, 0, "INR")
    created = StaffingRequest.objects.get(pk=body["id"])
    assert (created.firm, created.created_by) == (acme, carol)


def test_a_request_answers_on_the_firms_chosen_lines(api, acme):
    line = PhoneLineFactory(firm=acme)
    body = _post(api, lines=[line.pk], headcount=3).json()
    assert (body["lines"], body["headcount"], body["agents_needed"]) == ([line.pk], 3, 20)


def test_an_end_date_before_the_start_is_refused_by_field(api):
    response = _post(api, start_date=(timezone.localdate() + dt.timedelta(40)).isoformat())
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "The end date must be on or after the start date."
    assert body["extra"]["fields"]["end_date"] == [body["message"]]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"rate": "-1.00"}, "rate"),
        ({"languages": ["en", "xx"]}, "languages"),
        ({"days": "0117"}, "days"),
        ({"calls_per_hour": "0"}, "calls_per_hour"),
        ({"regions": [999999999]}, "regions"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, overrides, field):
    response = _post(api, **overrides)
    assert response.status_code == 400
    assert set(response.json()) == {"message", "extra"}
    assert field in response.json()["extra"]["fields"]
    assert not StaffingRequest.objects.exists()


def test_another_firms_line_is_refused_and_nothing_is_saved(api, globex):
    theirs = PhoneLineFactory(firm=globex)
    StaffingRequestFactory(firm=globex)
    response = _post(api, lines=[theirs.pk])
    assert response.status_code == 400
    assert response.json()["extra"]["fields"] == {"lines": ["Choose lines of your own firm."]}
    assert StaffingRequest.objects.count() == 1


def test_the_schema_documents_the_firm_api_and_its_key(client):
    schema = client.get(reverse("schema"), {"format": "json"}).json()
    assert {"/api/v1/staffing-requests/", "/api/v1/staffing-requests/{id}/"} <= set(schema["paths"])
    assert {"/api/v1/lines/", "/api/v1/lines/{id}/", "/api/v1/engagements/"} <= set(schema["paths"])
    scheme = schema["components"]["securitySchemes"]["FirmApiKey"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    post = schema["paths"]["/api/v1/staffing-requests/"]["post"]
    assert {"FirmApiKey": []} in post["security"]
    assert post["tags"] == ["staffing"]
