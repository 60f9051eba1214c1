"""Two polls of one mailbox never overlap: the second finds the mailbox's row locked by the
first and leaves (PostgreSQL: SQLite has no row locks)."""

import threading

import pytest
from django.db import connection, transaction

from mailroom import imap
from mailroom.models import Mailbox, Message
from tests.mailroom.conftest import raw_email
from tests.mailroom.imap_support import mailbox_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_poll_leaves_a_mailbox_another_poll_holds(folder, mail_address):
    mailbox = mailbox_for(folder, mail_address)
    folder.append(raw_email(to="claims@acme-insurance.example"))
    locked, release = threading.Event(), threading.Event()

    def first_poll_holding_the_row():
        try:
            with transaction.atomic():
                Mailbox.objects.select_for_update().get(pk=mailbox.pk)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=first_poll_holding_the_row)
    holder.start()
    try:
        assert locked.wait(30)
        assert imap.mailbox_poll(mailbox) == 0
        assert not Message.objects.exists()
    finally:
        release.set()
        holder.join(30)

    assert imap.mailbox_poll(mailbox) == 1
