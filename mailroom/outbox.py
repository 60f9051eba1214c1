"""Replies leaving (issue 18): a queued reply `Message` sent through Django's email backend
after the reply's transaction commits, threaded (Message-ID, In-Reply-To, References), from
the address the conversation came to, with the queue's display name. Never a Bcc.

The send is claimed by a conditional UPDATE (attempts + 1 while still QUEUED), so a task
run twice and the sweep racing it cannot send the same reply twice at once; the sweep
(`messages_resend_due`) sends what a lost task left queued, at most MAX_ATTEMPTS times,
then marks it FAILED with the error for the conversation page.
"""

import datetime as dt
import logging
import smtplib

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from mailroom.models import Message

logger = logging.getLogger(__name__)

Send = Message.Send
MAX_ATTEMPTS = 5
RESEND_AFTER = dt.timedelta(minutes=1)
TRANSIENT = (smtplib.SMTPException, OSError)


def message_send_after_commit(*, message_id: int) -> None:
    from mailroom.tasks import reply_send_task

    transaction.on_commit(lambda: reply_send_task.delay(message_id), robust=True)


def email_for(message: Message) -> EmailMessage:
    """The reply as Django's EmailMessage: From and Reply-To the conversation's address with
    the queue's display name, the consumer alone in To, threading headers."""
    sender = (
        f"{message.from_name} <{message.from_email}>" if message.from_name else message.from_email
    )
    headers = {"Message-ID": f"<{message.message_id}>"}
    if message.in_reply_to:
        headers["In-Reply-To"] = f"<{message.in_reply_to}>"
    if message.references:
        headers["References"] = " ".join(f"<{ref}>" for ref in message.references.split())
    return EmailMessage(
        subject=message.subject,
        body=message.text,
        from_email=sender,
        to=[message.to_email],
        reply_to=[sender],
        headers=headers,
    )


def message_send(*, message_id: int) -> bool:
    """Send one queued reply; True when it left. Safe to call twice."""
    claimed = Message.objects.filter(
        pk=message_id, send_status=Send.QUEUED, send_attempts__lt=MAX_ATTEMPTS
    ).update(send_attempts=F("send_attempts") + 1)
    if claimed != 1:
        return False
    message = Message.objects.get(pk=message_id)
    try:
        email_for(message).send()
    except TRANSIENT as error:
        # The consumer's address is personal data: the log names the message, not whom.
        logger.warning(
            "Reply %s not sent (attempt %d): %r", message.pk, message.send_attempts, error
        )
        failed = message.send_attempts >= MAX_ATTEMPTS
        Message.objects.filter(pk=message.pk, send_status=Send.QUEUED).update(
            send_error=f"{type(error).__name__}: {error}"[:500],
            **({"send_status": Send.FAILED} if failed else {}),
        )
        return False
    Message.objects.filter(pk=message.pk).update(
        send_status=Send.SENT, sent_at=timezone.now(), send_error=""
    )
    return True


def messages_resend_due(*, at: dt.datetime | None = None) -> int:
    """The outbox sweep: replies still QUEUED a minute after they were written (the task was
    lost, or SMTP failed); past MAX_ATTEMPTS they are FAILED, with a note on the page."""
    at = at or timezone.now()
    stale = Message.objects.filter(send_status=Send.QUEUED, created_at__lte=at - RESEND_AFTER)
    stale.filter(send_attempts__gte=MAX_ATTEMPTS).update(
        send_status=Send.FAILED, send_error="Not sent after 5 attempts."
    )
    ids = list(
        stale.filter(send_attempts__lt=MAX_ATTEMPTS)
        .order_by("pk")
        .values_list("pk", flat=True)[:200]
    )
    return sum(message_send(message_id=pk) for pk in ids)
