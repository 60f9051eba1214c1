"""Review of issue 18: a consumer's mail of a few megabytes (a scanned bill attached, well
under MAILROOM_ATTACHMENT_MAX_BYTES) arrives through the inbound webhook. Django's default
DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) answered Mailgun 400 and the mail was lost."""

import pytest
from django.conf import settings

from mailroom.models import Attachment, Message
from tests.mailroom.conftest import raw_email
from tests.mailroom.test_inbound_webhook import _anymail, mailgun_post, routed  # noqa: F401

pytestmark = pytest.mark.django_db
SCAN = b"%PDF-1.4\n" + b"0123456789abcdef" * (3 * 1024 * 1024 // 16) + b"\n%%EOF\n"


def test_a_three_megabyte_mail_with_a_scan_attached_is_stored(client, mail_queue, routed):  # noqa: F811
    raw = raw_email(
        to="claims@acme-insurance.example",
        message_id="<big@example.net>",
        attachments=[("scan.pdf", "application/pdf", SCAN)],
    )
    assert 3 * 1024 * 1024 < len(raw) < settings.MAILROOM_MESSAGE_MAX_BYTES
    response = mailgun_post(client, raw)
    assert response.status_code == 200
    message = Message.objects.get(message_id="big@example.net")
    assert Attachment.objects.get(message=message).filename == "scan.pdf"
    assert routed == [message.conversation_id]


def test_the_request_bound_follows_the_largest_message_we_take():
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE > settings.MAILROOM_MESSAGE_MAX_BYTES
