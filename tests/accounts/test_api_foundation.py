import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_lists_the_v1_endpoints(client):
    response = client.get(reverse("schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Homeshore API"
    assert "/api/v1/me/" in schema["paths"]


def test_the_interactive_docs_load_their_assets_locally(client):
    response = client.get(reverse("api-docs"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in body
    assert "cdn" not in body.lower()


def test_anonymous_api_calls_get_a_json_message(client):
    response = client.get(reverse("api-me"))
    assert response.status_code == 403
    assert response.json() == {
        "message": "Authentication credentials were not provided.",
        "extra": {},
    }


def test_me_tells_the_signed_in_user_their_roles(client, root):
    client.force_login(root)
    response = client.get(reverse("api-me"))
    assert response.status_code == 200
    assert response.json()["email"] == root.email
    assert set(response.json()["roles"]) == {"vetting", "finance", "admin"}


def test_an_agent_holds_only_the_agent_role(client, alice):
    client.force_login(alice)
    assert client.get(reverse("api-me")).json()["roles"] == ["agent"]
