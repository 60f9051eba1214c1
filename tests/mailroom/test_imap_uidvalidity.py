"""A folder whose UIDVALIDITY changes (deleted and made again, a server migrated) is taken
again from its first UID, and what was stored before is not stored twice."""

import pytest

from mailroom import imap
from mailroom.models import Mailbox, Message
from tests.mailroom.conftest import raw_email
from tests.mailroom.imap_support import mailbox_for

pytestmark = pytest.mark.django_db

CLAIMS = "claims@acme-insurance.example"


def test_a_new_uidvalidity_starts_over_without_storing_twice(folder, mail_address):
    mailbox = mailbox_for(folder, mail_address)
    first, second = (
        raw_email(to=CLAIMS, message_id="<old-1@example.net>"),
        raw_email(to=CLAIMS, message_id="<old-2@example.net>"),
    )
    folder.append(first, second)
    assert imap.mailbox_poll(mailbox) == 2
    validity = Mailbox.objects.get().uid_validity

    folder.recreate()  # the same two messages come back under new UIDs, and one new one
    folder.append(first, second, raw_email(to=CLAIMS, message_id="<new@example.net>"))
    imap.mailbox_poll(Mailbox.objects.get())

    mailbox = Mailbox.objects.get()
    assert mailbox.uid_validity != validity and mailbox.last_uid == 3
    ids = sorted(Message.objects.values_list("message_id", flat=True))
    assert ids == ["new@example.net", "old-1@example.net", "old-2@example.net"]


def test_a_first_poll_of_an_empty_folder_records_its_uidvalidity(folder, mail_address):
    mailbox = mailbox_for(folder, mail_address)

    assert imap.mailbox_poll(mailbox) == 0

    mailbox.refresh_from_db()
    assert mailbox.uid_validity and mailbox.last_uid == 0 and mailbox.last_polled_at
