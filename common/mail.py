"""Email from a service, after the write commits, with SMTP's outage never the user's error.

Sent straight from `transaction.on_commit`, an SMTP server that was down turned a committed
write (an invitation, a vetting decision) into a 500 — the user was told it failed when it
had not — and a slow one held the request (Django's EMAIL_TIMEOUT is unset: no limit). Here
the first attempt still goes at commit (mail is usually sent in milliseconds, and the
message is in the user's inbox while they look), bounded by EMAIL_TIMEOUT; a failed one is
handed to a Celery task that retries with backoff over about an hour (an SMTP restart, a
provider's rate limit). Robust: neither SMTP nor the broker can undo the committed answer.
"""

import logging
import smtplib

from celery import shared_task
from django.core.mail import EmailMessage, send_mail
from django.db import transaction

logger = logging.getLogger(__name__)

TRANSIENT = (smtplib.SMTPException, OSError)  # OSError: refused, reset, timed out


def mail_after_commit(*, subject: str, body: str, to: list[str]) -> None:
    transaction.on_commit(lambda: _send_or_queue(subject, body, to), robust=True)


def _send_or_queue(subject: str, body: str, to: list[str]) -> None:
    mail_send_or_queue(EmailMessage(subject, body, None, to))


def mail_send_or_queue(message: EmailMessage) -> None:
    """Send now; on an SMTP or network error, queue its text for the retrying task."""
    try:
        message.send()
    except TRANSIENT as error:
        # Addresses are personal data: the log names how many, not whom.
        count = len(message.recipients())
        logger.warning(
            "Mail %r to %d recipient(s) not sent (%r); queued", message.subject, count, error
        )
        mail_send_task.apply_async((message.subject, message.body, message.to), countdown=60)


@shared_task(
    name="common.mail_send",
    ignore_result=True,
    acks_late=True,  # safe to repeat: at worst a second copy of a notice
    autoretry_for=TRANSIENT,
    retry_backoff=120,  # 2, 4, 8 … minutes, capped at 30: about an hour in all
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=5,
)
def mail_send_task(subject: str, body: str, to: list[str]) -> None:
    send_mail(subject, body, None, to)
