"""A staffing request's figures past what the column holds or what can be staffed get a
clear message on the page and from the API — never a 500, never a row. Run on SQLite and on
PostgreSQL, whose integer columns are narrower (a smallint ends at 32767)."""

import pytest
from django.urls import reverse

from clients.models import StaffingRequest
from clients.services import api_key_create
from tests.clients.test_api import _post
from tests.clients.test_marketplace_pages import _request_form

pytestmark = pytest.mark.django_db

TOO_LARGE = [
    ("headcount", 10**20),
    ("headcount", 2**31),
    ("headcount", 10001),
    ("target_seconds", 40000),
    ("aht_seconds", 2**31),
    ("aht_seconds", 10**12),
    ("target_level", 40000),
    ("shrinkage", 40000),
    ("region_radius_km", 2**31),
    ("calls_per_hour", "9999999.9"),
    ("rate", "99999999.99"),
    ("minimum_per_call", "99999999.99"),
]


@pytest.fixture
def api(client, acme, carol):
    _key, raw = api_key_create(firm=acme, user=carol, name="Acme CRM")
    client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {raw}"
    return client


@pytest.mark.parametrize(("field", "value"), TOO_LARGE)
def test_the_page_refuses_a_figure_too_large_next_to_its_field(client, carol, field, value):
    client.force_login(carol)
    response = client.post(reverse("clients:request_new"), _request_form(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not StaffingRequest.objects.exists()


@pytest.mark.parametrize(("field", "value"), TOO_LARGE)
def test_the_api_refuses_a_figure_too_large_with_its_field(api, field, value):
    response = _post(api, **{field: value})
    assert response.status_code == 400
    assert field in response.json()["extra"]["fields"]
    assert not StaffingRequest.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"), [("lines", [10**20]), ("regions", [10**20]), ("regions", [-1])]
)
def test_the_api_refuses_an_id_no_column_can_hold(api, field, value):
    response = _post(api, **{field: value})
    assert response.status_code == 400
    assert field in response.json()["extra"]["fields"]
    assert not StaffingRequest.objects.exists()


@pytest.mark.postgres
@pytest.mark.parametrize(("field", "value"), TOO_LARGE[:6])
def test_postgres_refuses_them_the_same_way(api, client, carol, field, value):
    assert _post(api, **{field: value}).status_code == 400
    client.force_login(carol)
    response = client.post(reverse("clients:request_new"), _request_form(**{field: value}))
    assert field in response.context["form"].errors
    assert not StaffingRequest.objects.exists()


def test_an_erlang_c_headcount_past_the_range_is_refused_not_a_500(api):
    # 9,000 Erlangs are staffable (under 10,000 agents), but 90% shrinkage makes 90,780.
    response = _post(api, calls_per_hour="9000", aht_seconds=3600, shrinkage=90)
    assert response.status_code == 400
    assert response.json()["extra"]["fields"] == {
        "headcount": ["Ask for at least one agent and at most 10000."]
    }
    assert not StaffingRequest.objects.exists()
