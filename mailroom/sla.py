"""The service level (issue 18): a conversation's first reply is due by
`first_response_due_at` (business minutes of the queue's line, mailroom.hours); one whose due
time passed with no reply is marked breached, once, and escalated to staff."""

import datetime as dt

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import Notification, User
from accounts.notifications import notification_send
from mailroom.models import Conversation, Event

Status = Conversation.Status
OPEN = [Status.WAITING, Status.ASSIGNED]
# Breaches marked per sweep (the partial index mailroom_conv_due_idx keeps the scan short).
BATCH = 200


def _staff():
    return User.objects.filter(role__in=[User.Role.ADMIN, User.Role.VETTING], is_active=True)


@transaction.atomic
def conversation_breach(*, conversation_id: int, at: dt.datetime | None = None) -> bool:
    """Mark one overdue conversation breached and tell staff. A conditional UPDATE claims it,
    so two sweeps (or a sweep run twice) mark and escalate it once."""
    at = at or timezone.now()
    claimed = Conversation.objects.filter(
        pk=conversation_id,
        status__in=OPEN,
        first_response_at__isnull=True,
        breached_at__isnull=True,
        first_response_due_at__lte=at,
    ).update(breached_at=at)
    if claimed != 1:
        return False
    conv = Conversation.objects.select_related("queue", "firm").get(pk=conversation_id)
    late = int((at - conv.first_response_due_at).total_seconds() // 60)
    holder = "with an agent" if conv.status == Status.ASSIGNED else "waiting for an agent"
    Event.objects.create(
        conversation=conv,
        kind=Event.Kind.BREACHED,
        agent_id=conv.agent_id,
        detail=f"no first reply {late} min after the target; {holder}",
    )
    notification_send(
        users=_staff(),
        kind=Notification.Kind.EMAIL_SLA_BREACHED,
        title=f"{conv.firm.name}: an email in {conv.queue.name} missed its first-response target",
        body=f"Conversation {conv.pk} is {holder}, {late} min past its target.",
        url=_staff_url(conv.pk),
        key=f"mail-breach:{conv.pk}",
    )
    return True


def _staff_url(pk: int) -> str:
    try:
        return reverse("mail_staff:conversation", args=[pk])
    except NoReverseMatch:  # the staff pages are another helper's, until merged
        return ""


def conversations_breach_due(*, at: dt.datetime | None = None) -> int:
    """The SLA sweep: every open conversation past its due time with no first reply."""
    at = at or timezone.now()
    due = Conversation.objects.filter(
        status__in=OPEN,
        first_response_at__isnull=True,
        breached_at__isnull=True,
        first_response_due_at__lte=at,
    ).order_by("first_response_due_at", "pk")
    return sum(
        conversation_breach(conversation_id=pk, at=at)
        for pk in list(due.values_list("pk", flat=True)[:BATCH])
    )
