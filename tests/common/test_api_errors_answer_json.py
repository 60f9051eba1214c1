"""Under /api/ every error is `{"message": …, "extra": {…}}` in JSON, as the README promises:
an unknown address, a method the endpoint does not take, a body it cannot read — pages
elsewhere keep Django's HTML."""

import pytest
from django.test import override_settings

from clients.services import api_key_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, acme, carol):
    _key, raw = api_key_create(firm=acme, user=carol, name="Acme CRM")
    client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {raw}"
    return client


def _house(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"message", "extra"} and body["message"]
    return body


@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/nowhere", "/api/v2/lines/"])
def test_an_unknown_api_address_is_a_json_404(api, path):
    _house(api.get(path), 404)


def test_an_unknown_page_elsewhere_is_still_the_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_method_the_endpoint_does_not_take_is_a_json_405(api):
    _house(api.delete("/api/v1/lines/"), 405)


def test_a_body_that_is_not_json_is_a_json_400(api):
    response = api.post("/api/v1/staffing-requests/", "{nope", content_type="application/json")
    _house(response, 400)


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_too_large_to_read_is_a_json_400(api):
    body = '{"title": "' + "x" * 2000 + '"}'
    response = api.post("/api/v1/staffing-requests/", body, content_type="application/json")
    _house(response, 400)


@pytest.mark.parametrize(
    "query", ["offset=null", "limit=x", "limit=0", "limit=201", "offset=10000000000", "offset=-1"]
)
def test_a_page_that_is_not_a_number_in_range_is_a_json_400(api, query):
    body = _house(api.get(f"/api/v1/lines/?{query}"), 400)
    assert set(body["extra"]["fields"]) == {query.partition("=")[0]}


def test_a_page_in_range_is_served(api):
    assert api.get("/api/v1/lines/?limit=200&offset=0").status_code == 200
