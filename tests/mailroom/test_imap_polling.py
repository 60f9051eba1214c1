"""Polling a firm's IMAP mailbox against a real server (dovecot, `.ci/dovecot.sh`): each
message stored once, replies joining their conversation, the mailbox only read."""

import pytest

from mailroom import imap
from mailroom.models import Conversation, Mailbox, Message
from mailroom.tasks import imap_poll_task
from tests.mailroom.conftest import raw_email
from tests.mailroom.imap_support import Folder, mailbox_for

pytestmark = pytest.mark.django_db

CLAIMS = "claims@acme-insurance.example"


@pytest.fixture
def mailbox(folder, mail_address):
    return mailbox_for(folder, mail_address)


def test_it_stores_each_message_once_and_a_second_poll_stores_nothing(folder, mailbox):
    folder.append(
        raw_email(to=CLAIMS, message_id="<one@example.net>"),
        raw_email(to=CLAIMS, message_id="<two@example.net>", subject="My policy number"),
    )

    assert imap.mailbox_poll(mailbox) == 2
    assert imap.mailbox_poll(mailbox) == 0

    stored = Message.objects.filter(mailbox=mailbox).order_by("imap_uid")
    assert [(m.message_id, m.imap_uid, m.source) for m in stored] == [
        ("one@example.net", 1, "imap"),
        ("two@example.net", 2, "imap"),
    ]
    mailbox.refresh_from_db()
    assert (mailbox.last_uid, mailbox.failures, mailbox.last_error) == (2, 0, "")
    assert mailbox.uid_validity and mailbox.last_polled_at


def test_a_reply_joins_its_conversation(folder, mailbox):
    folder.append(raw_email(to=CLAIMS, message_id="<first@example.net>"))
    imap.mailbox_poll(mailbox)
    folder.append(
        raw_email(
            to=CLAIMS,
            subject="Re: Claim for my hospital bill",
            text="Any news on this?",
            message_id="<second@example.net>",
            in_reply_to="<first@example.net>",
            references="<first@example.net>",
        )
    )

    assert imap.mailbox_poll(mailbox) == 1

    conversation = Conversation.objects.get()
    assert conversation.messages.count() == 2
    assert conversation.queue == mailbox.queue


def test_it_only_reads_the_mailbox(folder, mailbox):
    folder.append(raw_email(to=CLAIMS), raw_email(to=CLAIMS))

    imap.mailbox_poll(mailbox)

    assert folder.unseen() == [1, 2]  # BODY.PEEK: nothing marked \Seen, nothing removed


def test_it_takes_a_long_mailbox_in_batches(folder, mailbox, monkeypatch):
    monkeypatch.setattr(imap, "BATCH", 2)
    folder.append(*(raw_email(to=CLAIMS, message_id=f"<m{n}@example.net>") for n in range(5)))

    assert imap.mailbox_poll(mailbox) == 5

    assert Message.objects.filter(mailbox=mailbox).count() == 5
    assert Mailbox.objects.get().last_uid == 5


def test_a_crash_mid_batch_loses_nothing_and_stores_nothing_twice(folder, mailbox, monkeypatch):
    folder.append(*(raw_email(to=CLAIMS, message_id=f"<c{n}@example.net>") for n in range(3)))
    real_ingest, calls = imap.ingest.message_ingest, []

    def dies_on_the_second(**kwargs):
        calls.append(kwargs["imap_uid"])
        if len(calls) == 2:
            raise SystemExit("the worker is killed")
        return real_ingest(**kwargs)

    monkeypatch.setattr(imap.ingest, "message_ingest", dies_on_the_second)
    with pytest.raises(SystemExit):
        imap.mailbox_poll(mailbox)
    monkeypatch.setattr(imap.ingest, "message_ingest", real_ingest)

    # The batch rolled back with its lock: the first message and last_uid together.
    assert Mailbox.objects.get().last_uid == 0
    assert imap.mailbox_poll(mailbox) == 3
    assert Message.objects.filter(mailbox=mailbox).count() == 3


def test_the_beat_polls_each_active_mailbox(folder, mailbox, imap_server, mail_address):
    other = Folder(imap_server)
    try:
        paused = mailbox_for(other, mail_address, is_active=False)
        folder.append(raw_email(to=CLAIMS))
        other.append(raw_email(to=CLAIMS))

        assert imap_poll_task.delay().get() == 1  # eager in tests: the polls ran too

        assert Message.objects.filter(mailbox=mailbox).count() == 1
        assert not Message.objects.filter(mailbox=paused).exists()
    finally:
        other.remove()


def test_the_poll_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["mailroom-imap-poll"]
    assert (entry["task"], entry["schedule"]) == ("mailroom.imap_poll", 60.0)


def test_a_message_ingest_refuses_is_stepped_over(folder, mailbox):
    folder.append(
        raw_email(to=CLAIMS, sender="no sender address", message_id="<bad@example.net>"),
        raw_email(to=CLAIMS, message_id="<good@example.net>"),
    )

    assert imap.mailbox_poll(mailbox) == 1

    assert list(Message.objects.values_list("message_id", flat=True)) == ["good@example.net"]
    mailbox.refresh_from_db()
    assert (mailbox.last_uid, mailbox.failures) == (2, 0)
    assert folder.unseen() == [1, 2]  # the refused one stays in the firm's mailbox
