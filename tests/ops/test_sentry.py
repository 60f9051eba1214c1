"""Errors reach Sentry when SENTRY_DSN is set: Django's and Celery's, with the environment and
release the deployment names, and no personal data."""

import json
from unittest import mock

import pytest
import sentry_sdk
from django.test import Client
from sentry_sdk.transport import Transport

from config.observability import sentry_init
from tests.ops.fresh_process import printed_json

DSN = "https://public@sentry.invalid/1"
SHOW = (
    "import json, django, sentry_sdk\n"
    "django.setup()\n"
    "client = sentry_sdk.get_client()\n"
    "print(json.dumps({\n"
    "    'active': client.is_active(),\n"
    "    'environment': client.options['environment'],\n"
    "    'release': client.options['release'],\n"
    "    'send_default_pii': client.should_send_default_pii(),\n"
    "    'django': client.get_integration('django') is not None,\n"
    "    'celery': client.get_integration('celery') is not None,\n"
    "}))\n"
)


def sentry_of(**env) -> dict:
    return printed_json(SHOW, cleared=("DJANGO_", "SENTRY"), **env)


def test_settings_start_sentry_from_the_environment():
    shown = sentry_of(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="sentry-test-" + "k" * 50,
        SENTRY_DSN=DSN,
        SENTRY_RELEASE="homeshore@1.2.3",
    )
    assert shown == {
        "active": True,
        "environment": "production",
        "release": "homeshore@1.2.3",
        "send_default_pii": False,
        "django": True,
        "celery": True,
    }


def test_without_a_dsn_nothing_is_sent():
    assert sentry_of(DJANGO_DEBUG="true")["active"] is False


class Captured(Transport):
    def __init__(self):
        super().__init__()
        self.events: list[dict] = []

    def capture_envelope(self, envelope):
        event = envelope.get_event()
        if event is not None:
            self.events.append(event)


@pytest.fixture
def sentry():
    transport = Captured()
    sentry_init(
        dsn=DSN, environment="test", release="r1", traces_sample_rate=0.0, transport=transport
    )
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: inactive again for the rest of the suite


def test_a_500_reaches_sentry_without_personal_data(sentry, alice):
    client = Client(raise_request_exception=False, REMOTE_ADDR="203.0.113.9")
    client.force_login(alice)
    with mock.patch("config.views._database_ok", side_effect=RuntimeError("boom")):
        assert client.get("/healthz", HTTP_COOKIE="tracking=1").status_code == 500
    sentry_sdk.flush()
    [event] = sentry.events
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert (event["environment"], event["release"]) == ("test", "r1")
    assert event["transaction"] == "/healthz"
    sent = json.dumps(event)
    assert "alice@example.com" not in sent and "203.0.113.9" not in sent
    assert "sessionid" not in sent and "tracking" not in sent
