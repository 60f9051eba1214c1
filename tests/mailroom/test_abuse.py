"""Abuse: SPF/DKIM failures marked, attachments refused by content with a note (no bounce),
mail loops stopped, unknown recipients refused."""

import pytest
from django.core import mail

from mailroom import assignment
from mailroom.ingest import UnknownRecipient, message_ingest
from mailroom.models import Attachment, Conversation, Event, Message
from mailroom.parsing import MessageTooLarge
from tests.mailroom.conftest import raw_email

pytestmark = pytest.mark.django_db
TO = "claims@acme-insurance.example"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00"
    + b"\x00" * 40
)


@pytest.fixture
def routed(monkeypatch):
    calls = []
    monkeypatch.setattr(assignment, "conversation_route", lambda c: calls.append(c.pk))
    return calls


def ingest(**kwargs):
    spf = kwargs.pop("spf", None)
    return message_ingest(raw=raw_email(to=TO, **kwargs), source="webhook", spf=spf)


def test_a_provider_saying_spf_failed_marks_the_message_and_conversation(mail_queue, routed):
    message = ingest(spf="softfail")
    assert message.spf == Message.Auth.FAIL
    assert message.conversation.suspicious
    assert Event.objects.get(kind=Event.Kind.SUSPICIOUS).detail == "SPF failed."


def test_dkim_failing_at_the_receiving_server_marks_it_too(mail_queue, routed):
    message = ingest(headers={"Authentication-Results": "mx; spf=pass; dkim=fail"})
    assert (message.spf, message.dkim) == ("pass", "fail") and message.conversation.suspicious


def test_allowed_attachments_are_stored_privately_and_the_rest_refused(mail_queue, routed):
    message = ingest(
        attachments=[
            ("scan.png", "image/png", PNG),
            ("notes.csv", "text/csv", b"a,b\n1,2\n"),
            ("invoice.pdf", "application/pdf", b"MZ\x90\x00 not a pdf at all"),
            ("photos.zip", "application/zip", b"PK\x03\x04 zipped"),
            ("run.js", "text/plain", b"alert(1)"),
            ("macro.doc", "application/msword", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 ole"),
        ]
    )
    stored = {a.filename: a for a in Attachment.objects.filter(message=message)}
    assert stored["scan.png"].content_type == "image/png" and stored["scan.png"].file
    assert stored["scan.png"].file.read() == PNG and not stored["scan.png"].refused_reason
    assert stored["notes.csv"].content_type == "text/csv"
    refused = {n: a.refused_reason for n, a in stored.items() if a.refused_reason}
    assert refused == {
        "invoice.pdf": "an executable program",
        "photos.zip": "an archive (or an office document, which may carry macros)",
        "run.js": "a script",
        "macro.doc": "an office document (it may carry macros)",
    }
    assert not any(stored[n].file for n in refused)
    notes = Event.objects.filter(kind=Event.Kind.ATTACHMENT_REFUSED).values_list(
        "detail", flat=True
    )
    assert len(notes) == 4 and mail.outbox == []  # a note, never a bounce


def test_an_attachment_over_the_limit_is_refused(mail_queue, routed, settings):
    settings.MAILROOM_ATTACHMENT_MAX_BYTES = 10
    message = ingest(attachments=[("scan.png", "image/png", PNG)])
    assert message.attachments.get().refused_reason.startswith("larger than")


def test_three_automatic_messages_in_a_row_stop_the_conversation(mail_queue, routed):
    first = ingest(message_id="<m0@example.net>")
    auto = {"Auto-Submitted": "auto-replied"}
    for n in range(1, 4):
        message = ingest(
            message_id=f"<m{n}@example.net>", in_reply_to="<m0@example.net>", headers=auto
        )
    conversation = Conversation.objects.get()
    assert conversation.status == Conversation.Status.STOPPED
    assert (
        Event.objects.get(kind=Event.Kind.LOOP_STOPPED).detail == "3 automatic messages in a row."
    )
    assert routed == [first.conversation_id] and message.automatic
    later = ingest(message_id="<m9@example.net>", in_reply_to="<m0@example.net>")
    assert later.conversation_id == conversation.pk  # stored, and ignored
    assert Conversation.objects.get().status == Conversation.Status.STOPPED
    assert routed == [first.conversation_id]


def test_more_than_five_messages_in_ten_minutes_from_one_sender_stop_it(mail_queue, routed):
    for n in range(6):
        ingest(message_id=f"<b{n}@example.net>", references="<b0@example.net>" if n else None)
    assert Conversation.objects.get().status == Conversation.Status.STOPPED
    assert Message.objects.count() == 6


def test_an_automatic_message_alone_is_kept_but_never_routed(mail_queue, routed):
    message = ingest(headers={"X-Autoreply": "yes"})
    assert message.automatic and routed == []
    assert message.conversation.status == Conversation.Status.CLOSED


def test_an_unknown_recipient_or_an_oversized_message_is_refused(
    mail_queue, routed, settings, caplog
):
    with pytest.raises(UnknownRecipient):
        message_ingest(raw=raw_email(to="nobody@acme-insurance.example"), source="webhook")
    assert "nobody@" not in caplog.text
    settings.MAILROOM_MESSAGE_MAX_BYTES = 50
    with pytest.raises(MessageTooLarge):
        ingest()
    assert Message.objects.count() == 0
