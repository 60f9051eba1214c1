"""What goes wrong polling a mailbox, told to the firm in a sentence (never the password):
a refused login, a closed port, a silent server, an untrusted certificate, a private
address, a missing folder; ten in a row pause it. A message over the size limit is left."""

import logging
import socket

import pytest

from accounts.models import Notification
from mailroom import imap
from mailroom.models import Mailbox, Message
from tests.mailroom.conftest import raw_email
from tests.mailroom.imap_support import mailbox_for

pytestmark = pytest.mark.django_db

CLAIMS = "claims@acme-insurance.example"


def _failed(mailbox) -> Mailbox:
    assert imap.mailbox_poll(mailbox) == 0
    mailbox.refresh_from_db()
    return mailbox


def test_a_wrong_password_is_told_without_the_password(folder, mail_address, caplog):
    mailbox = mailbox_for(folder, mail_address, password="not-the-password-42")
    caplog.set_level(logging.INFO)

    mailbox = _failed(mailbox)

    assert mailbox.last_error == (
        f"The IMAP server {folder.server.host}:{folder.server.port} refused the username "
        "or password."
    )
    assert mailbox.failures == 1 and mailbox.is_active
    assert "not-the-password-42" not in caplog.text and folder.server.user not in caplog.text


def test_a_closed_port_and_a_silent_server_are_told(folder, mail_address, settings):
    with socket.socket() as silent:  # accepts the connection (backlog), never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        settings.MAILROOM_IMAP_TIMEOUT = 0.5
        mailbox = _failed(mailbox_for(folder, mail_address, port=silent.getsockname()[1]))
        assert mailbox.last_error.endswith("did not answer within 0.5 seconds.")
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound, not listening: connections are refused
        mailbox.port = port
        mailbox.save()
        mailbox = _failed(mailbox)
    assert mailbox.last_error == f"The IMAP server 127.0.0.1:{port} refused the connection."
    assert mailbox.failures == 2


def test_tls_needs_a_trusted_certificate(folder, mail_address, settings):
    if not folder.server.ssl_port:
        pytest.skip("the IMAP server has no TLS port")
    mailbox = mailbox_for(folder, mail_address, use_ssl=True, port=folder.server.ssl_port)
    folder.append(raw_email(to=CLAIMS))
    settings.MAILROOM_IMAP_CA_FILE = ""

    assert "certificate is not trusted" in _failed(mailbox).last_error

    settings.MAILROOM_IMAP_CA_FILE = folder.server.ca_file  # the tests' own CA: trusted
    assert imap.mailbox_poll(mailbox) == 1
    mailbox.refresh_from_db()
    assert (mailbox.failures, mailbox.last_error) == (0, "")  # a success clears the failure


def test_it_never_logs_in_to_a_private_address(folder, mail_address, settings):
    settings.OUTBOUND_ALLOW_HOSTS = []  # production: 127.0.0.1 is the agency's own machine
    mailbox = _failed(mailbox_for(folder, mail_address))
    assert mailbox.last_error == "The IMAP server 127.0.0.1 is not on the public internet."


def test_a_missing_folder_is_told(folder, mail_address):
    mailbox = _failed(mailbox_for(folder, mail_address, folder="No such folder"))
    assert mailbox.last_error.startswith("The folder 'No such folder' could not be opened")


def test_ten_failures_in_a_row_pause_the_mailbox_and_tell_the_firm(folder, mail_address, carol):
    mailbox = mailbox_for(folder, mail_address, password="wrong", failures=8)

    _failed(mailbox)
    assert not Notification.objects.exists()
    mailbox = _failed(mailbox)

    assert (mailbox.failures, mailbox.is_active) == (10, False)
    notice = Notification.objects.get(kind=Notification.Kind.MAILBOX_FAILING)
    assert notice.recipient == carol and "refused the username or password" in notice.body
    assert imap.mailbox_poll_id(mailbox_id=mailbox.pk) == 0  # paused: not polled
    assert Mailbox.objects.get().failures == 10


def test_a_message_over_the_limit_is_left_in_the_mailbox(folder, mail_address, settings):
    settings.MAILROOM_MESSAGE_MAX_BYTES = 2000
    folder.append(
        raw_email(to=CLAIMS, message_id="<small@example.net>"),
        raw_email(to=CLAIMS, message_id="<large@example.net>", text="scan " * 1000),
        raw_email(to=CLAIMS, message_id="<after@example.net>"),
    )
    mailbox = mailbox_for(folder, mail_address)

    assert imap.mailbox_poll(mailbox) == 2

    mailbox.refresh_from_db()
    assert (mailbox.too_large, mailbox.last_uid, mailbox.failures) == (1, 3, 0)
    assert sorted(Message.objects.values_list("message_id", flat=True)) == [
        "after@example.net",
        "small@example.net",
    ]
    assert imap.mailbox_poll(mailbox) == 0  # and not counted again
    assert Mailbox.objects.get().too_large == 1
