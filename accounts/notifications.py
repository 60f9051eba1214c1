"""Notifications: what users wait on, on the page (the bell) and by email.

The apps above call `notification_send` from the service where the event happens, inside
that service's transaction: the rows commit or roll back with the change they tell of, and
the email goes only after the commit (`transaction.on_commit`, robust), through
`common.mail` — an SMTP outage or a broker error is logged, never the caller's error.

Texts are the caller's and go to one tenant's users only: no bank details, personal
numbers or another firm's names in a title or body (an email leaves the portal).
"""

import contextlib
import contextvars
import logging
from collections.abc import Iterable, Iterator

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import KIND_ROLES, Notification, NotificationSetting, User
from common.mail import TRANSIENT, mail_send_task

logger = logging.getLogger(__name__)

Kind = Notification.Kind

_quiet = contextvars.ContextVar("notifications_quiet", default=False)


@contextlib.contextmanager
def notifications_quiet() -> Iterator[None]:
    """Write the rows but send no email (the demo seed: its addresses are made up, and its
    console mail would bury the logins it prints)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def _recipients(users: "Iterable[User] | QuerySet[User]") -> dict[int, str]:
    """Active users' ids and addresses, without a query per user (a run tells thousands)."""
    if isinstance(users, QuerySet):
        return dict(users.filter(is_active=True).values_list("pk", "email"))
    return {user.pk: user.email for user in users if user is not None and user.is_active}


@transaction.atomic
def notification_send(
    *,
    users: "Iterable[User] | QuerySet[User]",
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    key: str = "",
) -> int:
    """Tell `users` about one event of `kind`; returns how many were told (page or email).

    `key` names a one-shot event (e.g. "invoice:42"): a user already told of it under this
    kind is not told again. Each user's settings for the kind (NotificationSetting) may turn
    the page or the email off; with both off nothing is written."""
    kind = Kind(kind)
    recipients = _recipients(users)
    if not recipients:
        return 0
    # Settings are kept only where something is off: few rows a kind, so read them all
    # rather than an IN over thousands of recipients (SQLite's variable limit).
    choices = {
        user_id: (email, page)
        for user_id, email, page in NotificationSetting.objects.filter(kind=kind).values_list(
            "user_id", "email", "page"
        )
    }
    told = set()
    if key:
        told = set(
            Notification.objects.filter(kind=kind, key=key).values_list("recipient_id", flat=True)
        )
    now = timezone.now()
    rows, emails = [], []
    for user_id, address in recipients.items():
        email, page = choices.get(user_id, (True, True))
        if user_id in told or not (email or page):
            continue
        rows.append(
            Notification(
                recipient_id=user_id,
                kind=kind,
                title=title[:200],
                body=body,
                url=url,
                key=key,
                on_page=page,
                created_at=now,
            )
        )
        if email:
            emails.append(address)
    # ignore_conflicts: the unique key still holds against a concurrent send of the event.
    Notification.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    if emails and not _quiet.get():
        subject, text = f"Homeshore: {title}", _email_text(body, url)
        transaction.on_commit(lambda: _mail_or_hand_off(subject, text, emails), robust=True)
    return len(rows)


def _email_text(body: str, url: str) -> str:
    parts = [body] if body else []
    if url:
        parts.append(f"Open it: {settings.PORTAL_URL.rstrip('/')}{url}")
    choose = settings.PORTAL_URL.rstrip("/") + reverse("notifications:settings")
    parts.append(f"Choose what Homeshore tells you about: {choose}")
    return "\n\n".join(parts) + "\n"


# A few recipients are mailed at the commit (the user reads it while still on the page); a
# crowd (a settlement run tells every agent paid) goes to tasks, MAIL_CHUNK addresses each:
# thousands of SMTP sends inside the run's own task would hold its worker for many minutes.
MAIL_INLINE = 25
MAIL_CHUNK = 500


def _mail_or_hand_off(subject: str, text: str, addresses: list[str]) -> None:
    if len(addresses) <= MAIL_INLINE:
        _mail(subject, text, addresses)
        return
    for start in range(0, len(addresses), MAIL_CHUNK):
        notifications_mail_task.delay(subject, text, addresses[start : start + MAIL_CHUNK])


@shared_task(name="accounts.notifications_mail", ignore_result=True)
def notifications_mail_task(subject: str, text: str, addresses: list[str]) -> None:
    _mail(subject, text, addresses)


def _mail(subject: str, text: str, addresses: list[str]) -> None:
    """One message a recipient (nobody sees another's address), over one connection; what
    SMTP or the network refuses is queued for common.mail's retrying task."""
    sent = 0
    try:
        with get_connection() as connection:
            for address in addresses:
                EmailMessage(subject, text, None, [address], connection=connection).send()
                sent += 1
    except TRANSIENT as error:
        # Addresses are personal data: the log names how many, not whom.
        left = addresses[sent:]
        logger.warning("Notification %r to %d not mailed (%r); queued", subject, len(left), error)
        for address in left:
            mail_send_task.apply_async((subject, text, [address]), countdown=60)


def staff_with_role(role: str) -> QuerySet[User]:
    """The staff who receive a staff kind: the holders of that very role (administrators hold
    every role but are not told of every queue's events)."""
    return User.objects.filter(role=role, is_active=True)


# --- the user's own -----------------------------------------------------------------------


def notifications_unread_count(*, user: User) -> int:
    """The bell's figure, on every page: one COUNT on the partial unread index."""
    return Notification.objects.filter(recipient=user, on_page=True, read_at__isnull=True).count()


def notifications_of(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, on_page=True)


@transaction.atomic
def notification_read(*, user: User, notification_id: int) -> Notification | None:
    """Mark one of the user's own notifications read; another user's is None (a 404)."""
    notification = notifications_of(user=user).filter(pk=notification_id).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_read_all(*, user: User) -> int:
    return notifications_of(user=user).filter(read_at__isnull=True).update(read_at=timezone.now())


def kinds_for(user: User) -> list[Kind]:
    """The kinds the user's role can receive, in the enumeration's order."""
    return [kind for kind in Kind if any(user.role == role for role in KIND_ROLES[kind])]


def notification_settings_of(*, user: User) -> dict[str, tuple[bool, bool]]:
    """(email, page) for each kind the user can receive."""
    stored = {
        kind: (email, page)
        for kind, email, page in user.notification_settings.values_list("kind", "email", "page")
    }
    return {kind: stored.get(kind, (True, True)) for kind in kinds_for(user)}


@transaction.atomic
def notification_settings_set(*, user: User, choices: dict[str, tuple[bool, bool]]) -> None:
    """Store (email, page) per kind; kinds the user's role cannot receive are ignored."""
    for kind in kinds_for(user):
        email, page = choices.get(kind, (True, True))
        if email and page:
            NotificationSetting.objects.filter(user=user, kind=kind).delete()
        else:
            NotificationSetting.objects.update_or_create(
                user=user, kind=kind, defaults={"email": email, "page": page}
            )
