"""An SMTP server that is down never turns a committed write into a 500: the invitation (or
the agent's signup) stands, the user gets the page, and the mail is queued for a retrying
task. The SMTP server here is a real socket that nothing listens on."""

import pytest
from celery.exceptions import Retry
from django.urls import reverse

from clients.models import FirmInvite
from common import mail

pytestmark = pytest.mark.django_db

SMTP_DOWN = "django.core.mail.backends.smtp.EmailBackend"


@pytest.fixture
def smtp_down(settings, monkeypatch):
    settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT = SMTP_DOWN, "127.0.0.1", 1
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    queued = []
    monkeypatch.setattr(
        mail.mail_send_task, "apply_async", lambda args, **options: queued.append((args, options))
    )
    return queued


def test_an_invitation_is_made_and_its_mail_queued_while_smtp_is_down(
    client, carol, smtp_down, django_capture_on_commit_callbacks
):
    client.force_login(carol)
    data = {"action": "invite", "email": "dev@acme.example", "role": "member"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("clients:settings"), data)
    assert response.status_code == 302
    assert FirmInvite.objects.filter(email="dev@acme.example").exists()
    [(args, options)] = smtp_down
    _subject, body, to = args
    assert to == ["dev@acme.example"] and "/client/invites/" in body
    assert options["countdown"] > 0


def test_signup_stands_while_smtp_is_down(client, smtp_down):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@agents.example",
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
        },
    )
    assert response.status_code == 302
    [(args, _options)] = smtp_down
    assert args[2] == ["new@agents.example"]


def test_the_queued_task_retries_while_smtp_is_down(settings):
    settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT = SMTP_DOWN, "127.0.0.1", 1
    with pytest.raises(Retry) as retry:
        mail.mail_send_task.apply(("Hello", "Body", ["a@example.com"]))
    assert isinstance(retry.value.exc, ConnectionRefusedError) and retry.value.when > 0
