"""Bounces and spam complaints a mail provider reports (anymail's signed tracking webhook,
Mailgun here) move the email once and put the address on the firm's suppression list; a
webhook with a bad signature is refused and changes nothing."""

import base64
import hashlib
import hmac
import json
import time

import pytest

from mailroom.models import CampaignEmail, EmailCampaign, EmailSuppression
from mailroom.sending import campaigns_tick
from tests.mailroom.campaigning import campaign_started, email_list

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.mailroom.tracking_urls")]
KEY = "mailgun-signing-key"
URL = "/test-hooks/mailgun/tracking/"
AUTH = "Basic " + base64.b64encode(b"hooks:s3cret").decode()


@pytest.fixture
def signed(settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": KEY, "WEBHOOK_SECRET": "hooks:s3cret"}


@pytest.fixture
def sent(smtp_sink, carol, acme, mail_address):
    people = email_list(acme, [("Asha", "asha@example.net"), ("Ravi", "ravi@example.net")])
    campaign = campaign_started(carol, acme, mail_address, [people])
    campaigns_tick()
    return campaign


def _post(client, event: dict, *, key: str = KEY):
    token, stamp = "a" * 50, str(int(time.time()))
    signature = hmac.new(key.encode(), f"{stamp}{token}".encode(), hashlib.sha256).hexdigest()
    body = {"signature": {"token": token, "timestamp": stamp, "signature": signature}}
    body["event-data"] = {"timestamp": time.time(), **event}
    return client.post(
        URL, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=AUTH
    )


def _event(kind: str, row: CampaignEmail, *, by_metadata: bool = True, **extra) -> dict:
    event = {"event": kind, "recipient": row.email, "message": {"headers": {}}, **extra}
    if by_metadata:
        event["user-variables"] = {"campaign_email": str(row.pk)}
    else:
        event["message"]["headers"]["message-id"] = row.message_id
    return event


def test_a_permanent_bounce_suppresses_the_address_once(client, signed, sent):
    row = CampaignEmail.objects.get(email="asha@example.net")
    bounce = _event("failed", row, severity="permanent")

    for _ in range(2):  # the provider retries its webhook
        assert _post(client, bounce).status_code == 200

    row.refresh_from_db()
    sent.refresh_from_db()
    assert row.status == "bounced"
    assert sent.bounced == 1
    assert EmailSuppression.objects.get(email="asha@example.net").reason == "bounced"


def test_delivery_then_a_complaint_found_by_our_message_id(client, signed, sent):
    row = CampaignEmail.objects.get(email="ravi@example.net")
    assert _post(client, _event("delivered", row, by_metadata=False)).status_code == 200
    assert _post(client, _event("complained", row, by_metadata=False)).status_code == 200
    assert _post(client, _event("delivered", row, by_metadata=False)).status_code == 200

    row.refresh_from_db()
    sent.refresh_from_db()
    assert row.status == "complained"
    assert (sent.delivered, sent.complained) == (1, 1)
    assert EmailSuppression.objects.get(email="ravi@example.net").reason == "complained"


def test_a_bad_signature_is_refused_and_changes_nothing(client, signed, sent):
    row = CampaignEmail.objects.get(email="asha@example.net")

    response = _post(client, _event("failed", row, severity="permanent"), key="not-the-key")

    assert response.status_code == 400
    row.refresh_from_db()
    assert row.status == "sent"
    assert not EmailSuppression.objects.exists()
    assert EmailCampaign.objects.get(pk=sent.pk).bounced == 0
