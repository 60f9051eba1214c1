from unittest import mock

import pytest
from django.db.utils import OperationalError
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_is_healthy_when_database_and_broker_answer(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] in {"ok", "eager (no broker configured)"}


def test_it_is_unavailable_when_the_database_fails(client):
    with mock.patch("config.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "error: OperationalError",
        "broker": response.json()["broker"],
    }


def test_it_is_unavailable_when_the_broker_cannot_be_reached(client, settings):
    # A real connection attempt to a port where nothing listens.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error:")
    assert response.json()["database"] == "ok"


@pytest.mark.broker
def test_it_reports_the_real_broker(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"
