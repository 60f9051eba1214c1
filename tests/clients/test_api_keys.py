"""API keys: a firm's systems authenticate with a key; only its hash is stored."""

import pytest
from django.urls import reverse

from clients.models import ApiKey
from clients.services import api_key_create, api_key_revoke

pytestmark = pytest.mark.django_db

INVALID = {"message": "Invalid or revoked API key.", "extra": {}}


@pytest.fixture
def acme_key(acme, carol) -> tuple[ApiKey, str]:
    return api_key_create(firm=acme, user=carol, name="Acme CRM")


def _get(client, **headers):
    return client.get(reverse("api-staffing-requests"), headers=headers)


def test_a_raw_key_authenticates_as_its_firm(client, acme_key):
    _key, raw = acme_key
    response = _get(client, Authorization=f"Api-Key {raw}")
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_the_x_api_key_header_works_too(client, acme_key):
    _key, raw = acme_key
    assert _get(client, **{"X-Api-Key": raw}).status_code == 200


def test_the_database_holds_only_the_hash(acme_key):
    key, raw = acme_key
    row = ApiKey.objects.filter(pk=key.pk).values().get()
    assert all(raw not in str(value) for value in row.values())
    assert len(row["key_hash"]) == 64
    assert raw.split("_")[1] == row["prefix"]


def test_using_a_key_records_when_it_was_last_used(client, acme_key):
    key, raw = acme_key
    assert key.last_used_at is None
    _get(client, Authorization=f"Api-Key {raw}")
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_a_revoked_key_is_refused_with_a_json_message(client, acme, carol, acme_key):
    key, raw = acme_key
    api_key_revoke(firm=acme, user=carol, key_id=key.pk)
    response = _get(client, Authorization=f"Api-Key {raw}")
    assert response.status_code == 401
    assert response.json() == INVALID
    assert response.headers["WWW-Authenticate"] == "Api-Key"


@pytest.mark.parametrize(
    "raw", ["garbage", "hsk_12345678_not-the-secret", "", "Bearer-ish"], ids=repr
)
def test_a_garbage_key_is_refused(client, acme_key, raw):
    response = _get(client, Authorization=f"Api-Key {raw}")
    assert response.status_code == 401
    assert response.json() == INVALID


def test_a_right_prefix_with_a_wrong_secret_is_refused(client, acme_key):
    key, raw = acme_key
    forged = f"hsk_{key.prefix}_{'x' * 43}"
    assert forged != raw
    assert _get(client, **{"X-Api-Key": forged}).status_code == 401


def test_no_key_and_no_session_is_a_401(client):
    response = _get(client)
    assert response.status_code == 401
    assert response.json() == {
        "message": "Authentication credentials were not provided.",
        "extra": {},
    }


@pytest.mark.parametrize("persona", ["victor", "alice"])
def test_staff_and_agents_signed_in_are_refused(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = _get(client)
    assert response.status_code == 403
    assert response.json() == {"message": "This API is for client firms.", "extra": {}}


def test_a_signed_in_client_user_reads_their_own_firm(client, carol):
    client.force_login(carol)
    assert _get(client).status_code == 200
