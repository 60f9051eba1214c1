"""A mail provider's inbound webhook (Mailgun, through django-anymail): the signature is
checked, the message stored in a conversation, a retry stores nothing twice."""

import base64
import hashlib
import hmac
import time

import pytest

from mailroom import assignment
from mailroom.models import Conversation, Message
from tests.mailroom.conftest import raw_email

pytestmark = pytest.mark.django_db
URL = "/mail/anymail/mailgun/inbound_mime/"
KEY = "mailgun-signing-key-for-tests"
AUTH = "Basic " + base64.b64encode(b"hooks:s3cret-hooks").decode()


@pytest.fixture(autouse=True)
def _anymail(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hooks:s3cret-hooks", "MAILGUN_WEBHOOK_SIGNING_KEY": KEY}


@pytest.fixture
def routed(monkeypatch):
    calls = []
    monkeypatch.setattr(assignment, "conversation_route", lambda c: calls.append(c.pk))
    return calls


def mailgun_post(client, raw: bytes, *, key: str = KEY, extra=None):
    timestamp, token = str(int(time.time())), "a" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    data = {
        "body-mime": raw.decode(),
        "recipient": "claims@acme-insurance.example",
        "sender": "asha.menon@example.net",
        "timestamp": timestamp,
        "token": token,
        "signature": signature,
        **(extra or {}),
    }
    return client.post(URL, data, HTTP_AUTHORIZATION=AUTH)


def test_a_signed_inbound_post_stores_a_waiting_conversation(client, mail_queue, routed):
    raw = raw_email(to="Claims <claims@acme-insurance.example>", message_id="<wh1@example.net>")
    response = mailgun_post(client, raw)
    assert response.status_code == 200
    message = Message.objects.get()
    assert (message.message_id, message.source) == ("wh1@example.net", "webhook")
    assert message.conversation.status == Conversation.Status.WAITING
    assert routed == [message.conversation_id]


def test_a_bad_signature_is_refused_and_nothing_stored(client, mail_queue, routed):
    response = mailgun_post(client, raw_email(to="claims@acme-insurance.example"), key="wrong")
    assert response.status_code == 400
    assert not Message.objects.exists() and routed == []


def test_the_same_post_twice_stores_one_message(client, mail_queue, routed):
    raw = raw_email(to="claims@acme-insurance.example", message_id="<twice@example.net>")
    assert mailgun_post(client, raw).status_code == 200
    assert mailgun_post(client, raw).status_code == 200
    assert Message.objects.count() == 1 and Conversation.objects.count() == 1


def test_mailguns_own_spf_verdict_marks_the_message(client, mail_queue, routed):
    raw = raw_email(to="claims@acme-insurance.example", headers={"X-Mailgun-Spf": "Fail"})
    assert mailgun_post(client, raw).status_code == 200
    message = Message.objects.get()
    assert message.spf == "fail" and message.conversation.suspicious


def test_mail_for_nobody_of_ours_is_answered_200_and_not_stored(client, mail_queue, routed):
    raw = raw_email(to="someone@elsewhere.example")
    response = mailgun_post(client, raw, extra={"recipient": "someone@elsewhere.example"})
    assert response.status_code == 200 and not Message.objects.exists()
