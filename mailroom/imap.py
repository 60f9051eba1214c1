"""Polling a firm's IMAP mailbox (issue 18), with `imapclient`.

A poll connects (TLS unless the mailbox says otherwise; `MAILROOM_IMAP_TIMEOUT` for every
network step), selects the folder read-only and takes each message above `last_uid` whole
(`BODY.PEEK[]`: the firm's mailbox is only read — no \\Seen flag, nothing moved or deleted),
handing it to `mailroom.ingest.message_ingest`.

- **UIDVALIDITY**: UIDs mean something only while the folder's UIDVALIDITY holds; a new one
  (the folder was recreated, the server migrated) starts over from UID 0, and the Message-ID
  dedupe of ingest keeps the messages taken before from being stored twice.
- **One poll at a time, and no loss on a crash**: messages are taken in batches, each in one
  transaction that holds the mailbox's row lock (`select_for_update(skip_locked=True)`: a
  second poll finding it locked leaves at once) and moves `last_uid` with every message
  stored. A worker dying mid-batch rolls the batch back with its lock — its messages and
  `last_uid` together — and the next poll takes them again. A row lock, unlike a cache lock
  with a timeout, cannot outlive the worker nor expire under a slow one.
- **Too large**: a message over `MAILROOM_MESSAGE_MAX_BYTES` (its RFC822.SIZE, asked first)
  is never fetched; it is counted in `too_large` and stays in the mailbox for the firm.
- **Failures**: a refused login, a refused or timed-out connection, an untrusted certificate,
  a missing folder become one sentence in `last_error` (shown to the firm; never the
  password) and `failures` + 1; a poll that succeeds clears both. `PAUSE_AFTER` failures in a
  row pause the mailbox (`is_active` False) and tell the firm's users.
- **Where it may connect**: as for firms' webhooks (common.outbound), a firm must not make us
  reach the agency's own network: the address actually connected to must be public unless the
  host is in `OUTBOUND_ALLOW_HOSTS`, checked before the login sends the password.
"""

import contextlib
import ipaddress
import logging
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from accounts.models import Notification
from accounts.notifications import notification_send
from clients.notices import firm_users
from mailroom import ingest
from mailroom.models import Mailbox, Message

logger = logging.getLogger(__name__)

BATCH = 50  # UIDs a transaction takes (and holds the mailbox's lock for)
PAUSE_AFTER = 10  # polls failed in a row before the mailbox is paused


class PollError(Exception):
    """A poll that could not be done, in a sentence fit for the firm's page."""


def mailbox_poll(mailbox: Mailbox) -> int:
    """Take the mailbox's new messages; returns how many went into conversations (one
    stored before under another UID counts too; 0 when another poll holds the mailbox, or
    on a failure, which `last_error` then tells)."""
    try:
        with _connected(mailbox) as client:
            validity, uids = _folder_new_uids(client, mailbox)
            stored = _uids_take(client, mailbox.pk, validity, uids)
    except PollError as error:
        _poll_failed(mailbox.pk, str(error))
        return 0
    Mailbox.objects.filter(pk=mailbox.pk).update(
        last_polled_at=timezone.now(), last_error="", failures=0
    )
    return stored


@contextmanager
def _connected(mailbox: Mailbox) -> Iterator[IMAPClient]:
    where = f"{mailbox.host[:100]}:{mailbox.port}"
    try:
        client = IMAPClient(
            mailbox.host,
            port=mailbox.port,
            ssl=mailbox.use_ssl,
            ssl_context=_ssl_context() if mailbox.use_ssl else None,
            timeout=settings.MAILROOM_IMAP_TIMEOUT,
        )
    except Exception as error:
        raise PollError(_connect_error_sentence(error, mailbox, where)) from None
    try:
        _peer_check(mailbox.host, client.socket())
        try:
            client.login(mailbox.username, mailbox.password)
        except LoginError:
            raise PollError(f"The IMAP server {where} refused the username or password.") from None
        yield client
    except (OSError, IMAPClientError) as error:  # timeouts are OSErrors (socket.timeout)
        raise PollError(_session_error_sentence(error, mailbox, where)) from None
    finally:
        try:
            client.logout()
        except (OSError, IMAPClientError):  # the connection is gone already: close our end
            with contextlib.suppress(OSError, IMAPClientError):
                client.shutdown()


def _ssl_context() -> ssl.SSLContext:
    # The system's trust store, and MAILROOM_IMAP_CA_FILE's private CA besides (the tests'
    # dovecot): create_default_context(cafile=…) would trust that file alone.
    context = ssl.create_default_context()
    if settings.MAILROOM_IMAP_CA_FILE:
        context.load_verify_locations(cafile=settings.MAILROOM_IMAP_CA_FILE)
    return context


def _peer_check(host: str, sock: socket.socket) -> None:
    if host.lower() in {allowed.lower() for allowed in settings.OUTBOUND_ALLOW_HOSTS}:
        return
    address = sock.getpeername()[0]
    if not ipaddress.ip_address(address.split("%")[0]).is_global:
        raise PollError(f"The IMAP server {host[:100]} is not on the public internet.")


def _connect_error_sentence(error: BaseException, mailbox: Mailbox, where: str) -> str:
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"The IMAP server {where}'s certificate is not trusted ({error.verify_message})."
    if isinstance(error, ssl.SSLError):
        return f"A secure connection to the IMAP server {where} failed: is it an IMAPS port?"
    if isinstance(error, socket.gaierror):
        return f"The IMAP server's name {mailbox.host[:100]} could not be found."
    if isinstance(error, ConnectionRefusedError):
        return f"The IMAP server {where} refused the connection."
    if isinstance(error, TimeoutError):  # socket.timeout is TimeoutError
        return _timeout_sentence(where)
    if isinstance(error, (OSError, IMAPClientError)):
        return f"The IMAP server {where} could not be reached ({_reason(error, mailbox)})."
    raise error  # not the network's: a bug of ours, for the task's log


def _session_error_sentence(error: BaseException, mailbox: Mailbox, where: str) -> str:
    if isinstance(error, TimeoutError):
        return _timeout_sentence(where)
    if isinstance(error, IMAPClientError):
        return f"The IMAP server {where} refused: {_reason(error, mailbox)}."
    return f"The connection to the IMAP server {where} was lost ({_reason(error, mailbox)})."


def _timeout_sentence(where: str) -> str:
    seconds = f"{settings.MAILROOM_IMAP_TIMEOUT:g}"
    return f"The IMAP server {where} did not answer within {seconds} seconds."


def _reason(error: BaseException, mailbox: Mailbox) -> str:
    # A server's own words, shortened; the password is cut out should a server echo it.
    text = str(error).strip() or type(error).__name__
    if mailbox.password:
        text = text.replace(mailbox.password, "•••")
    return text[:200]


def _folder_new_uids(client: IMAPClient, mailbox: Mailbox) -> tuple[int, list[int]]:
    """The folder's UIDVALIDITY and the UIDs above what was taken under it."""
    try:
        status = client.select_folder(mailbox.folder, readonly=True)
    except IMAPClientError as error:
        raise PollError(
            f"The folder {mailbox.folder[:100]!r} could not be opened ({_reason(error, mailbox)})."
        ) from None
    validity = int(status[b"UIDVALIDITY"])
    after = mailbox.last_uid if mailbox.uid_validity == validity else 0
    # "UID n:*" always includes the highest UID, even below n: filter.
    uids = sorted(uid for uid in client.search(["UID", f"{after + 1}:*"]) if uid > after)
    return validity, uids


def _uids_take(client: IMAPClient, mailbox_id: int, validity: int, uids: list[int]) -> int:
    stored = 0
    # At least one batch, empty if need be: it records a new UIDVALIDITY.
    for start in range(0, len(uids) or 1, BATCH):
        taken = _batch_take(client, mailbox_id, validity, uids[start : start + BATCH])
        if taken is None:
            break
        stored += taken
    return stored


@transaction.atomic
def _batch_take(client: IMAPClient, mailbox_id: int, validity: int, uids: list[int]) -> int | None:
    """Store the batch's messages under the mailbox's lock; None when another poll holds it
    (or the mailbox was paused meanwhile)."""
    mailbox = (
        Mailbox.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("address")
        .filter(pk=mailbox_id, is_active=True)
        .first()
    )
    if mailbox is None:
        return None
    if mailbox.uid_validity != validity:
        if mailbox.uid_validity is not None:
            logger.info("Mailbox %s: UIDVALIDITY changed, taking its folder again", mailbox_id)
        mailbox.uid_validity, mailbox.last_uid = validity, 0
        mailbox.save(update_fields=["uid_validity", "last_uid"])
    # Re-read under the lock: a poll that ran meanwhile may have taken some of these.
    uids = [uid for uid in uids if uid > mailbox.last_uid]
    if not uids:
        return 0
    sizes = client.fetch(uids, ["RFC822.SIZE"])
    stored = 0
    for uid in uids:
        if uid not in sizes:
            pass  # expunged since the search
        elif sizes[uid][b"RFC822.SIZE"] > settings.MAILROOM_MESSAGE_MAX_BYTES:
            logger.warning(
                "Mailbox %s: UID %s is %s bytes, over the limit; left in the mailbox",
                mailbox_id,
                uid,
                sizes[uid][b"RFC822.SIZE"],
            )
            mailbox.too_large += 1
        else:
            raw = client.fetch([uid], ["BODY.PEEK[]"]).get(uid, {}).get(b"BODY[]")
            if raw is not None:
                stored += _message_take(mailbox, uid, raw)
        mailbox.last_uid = uid
        mailbox.save(update_fields=["last_uid", "too_large"])
    return stored


def _message_take(mailbox: Mailbox, uid: int, raw: bytes) -> int:
    try:
        message = ingest.message_ingest(
            raw=raw,
            source=Message.Source.IMAP,
            mailbox=mailbox,
            imap_uid=uid,
            recipient=mailbox.address.email,
        )
    except ingest.MessageRefused as refused:
        # Refused for good (not ours to take, unreadable): stepped over, or it would stop
        # the mailbox at this UID for ever. It stays in the firm's mailbox.
        logger.warning("Mailbox %s: UID %s refused: %s", mailbox.pk, uid, refused)
        return 0
    return 0 if message is None else 1


def _poll_failed(mailbox_id: int, sentence: str) -> None:
    # Mailbox ids only in the log: the username may be an address, the host the firm's.
    logger.warning("IMAP poll of mailbox %s failed: %s", mailbox_id, sentence)
    with transaction.atomic():
        boxes = Mailbox.objects.filter(pk=mailbox_id)
        boxes.update(
            last_polled_at=timezone.now(), last_error=sentence[:500], failures=F("failures") + 1
        )
        # Compare-and-set: of two failing polls, one pauses the mailbox and tells the firm.
        if boxes.filter(is_active=True, failures__gte=PAUSE_AFTER).update(is_active=False):
            mailbox = Mailbox.objects.select_related("queue__firm").get(pk=mailbox_id)
            _mailbox_failing_notice(mailbox)


def _mailbox_failing_notice(mailbox: Mailbox) -> None:
    notification_send(
        users=firm_users(firm=mailbox.queue.firm),
        kind=Notification.Kind.MAILBOX_FAILING,
        title=f"Mailbox paused: {mailbox.folder[:40]} on {mailbox.host[:80]}",
        body=(
            f"We could not read it {mailbox.failures} times in a row, so we stopped trying. "
            f"The last error: {mailbox.last_error} Nothing in it is lost: fix the settings "
            "and turn the mailbox on again to receive its messages."
        ),
        url=_mailboxes_url(),
        key=f"mailbox:{mailbox.pk}:paused:{mailbox.failures}:{timezone.now():%Y%m%d%H%M%S}",
    )


def _mailboxes_url() -> str:
    # The firm's mailbox settings live on its queues page (mailroom.client_urls).
    try:
        return reverse("mail:queues")
    except NoReverseMatch:
        return ""


def mailbox_ids_active() -> list[int]:
    return list(Mailbox.objects.filter(is_active=True).values_list("pk", flat=True))


def mailbox_poll_id(*, mailbox_id: int) -> int:
    """The task's entry: a paused or deleted mailbox is not polled."""
    mailbox = Mailbox.objects.filter(pk=mailbox_id, is_active=True).first()
    return mailbox_poll(mailbox) if mailbox is not None else 0
