"""selectors (issue 18)."""

# --- The firm's and the staff's pages, and the API (H6) ---------------------------------------
# Every read takes the firm: another firm's queue, conversation, mailbox or template is a 404.

import datetime as dt  # (the lead moves these up at merge, above H2's section)

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from agents.models import AgentProfile
from clients.models import ClientFirm, Engagement
from common.dates import local_midnight
from mailroom.models import (
    Attachment,
    Conversation,
    EmailCampaign,
    EmailSuppression,
    Mailbox,
    Message,
    Queue,
    Template,
)

OPEN = (Conversation.Status.WAITING, Conversation.Status.ASSIGNED)


def week_start() -> dt.datetime:
    """Monday 00:00 local time, this week: the queues' service-level period."""
    today = timezone.localdate()
    return local_midnight(today - dt.timedelta(days=today.weekday()))


def queues_of(*, firm: ClientFirm) -> QuerySet[Queue]:
    """The firm's queues with their addresses and mailboxes, today's counts and this week's
    first-response service level: of the conversations opened since Monday whose reply has
    come or was due, the share answered by the target (`sla_met` / `sla_due`)."""
    since = week_start()
    this_week = Q(conversations__created_at__gte=since)
    due = this_week & (
        Q(conversations__first_response_at__isnull=False)
        | Q(conversations__first_response_due_at__lte=timezone.now())
    )
    met = this_week & Q(
        conversations__first_response_at__lte=F("conversations__first_response_due_at")
    )
    status = "conversations__status"
    return (
        Queue.objects.filter(firm=firm)
        .select_related("line")
        .prefetch_related("addresses", Prefetch("mailboxes", Mailbox.objects.order_by("pk")))
        .annotate(
            waiting=Count("conversations", filter=Q(**{status: Conversation.Status.WAITING})),
            assigned=Count("conversations", filter=Q(**{status: Conversation.Status.ASSIGNED})),
            answered=Count("conversations", filter=Q(**{status: Conversation.Status.ANSWERED})),
            breached=Count(
                "conversations", filter=this_week & Q(conversations__breached_at__isnull=False)
            ),
            sla_due=Count("conversations", filter=due),
            sla_met=Count("conversations", filter=met),
        )
        .order_by("name", "pk")
    )


def queue_get(*, firm: ClientFirm, pk: int) -> Queue:
    return get_object_or_404(
        Queue.objects.filter(firm=firm).select_related("line").prefetch_related("addresses"),
        pk=pk,
    )


def mailbox_get(*, firm: ClientFirm, pk: int) -> Mailbox:
    return get_object_or_404(
        Mailbox.objects.filter(queue__firm=firm).select_related("queue", "address"), pk=pk
    )


def templates_of(*, firm: ClientFirm) -> QuerySet[Template]:
    return Template.objects.filter(firm=firm).select_related("queue").order_by("name", "pk")


def template_get(*, firm: ClientFirm, pk: int) -> Template:
    return get_object_or_404(Template.objects.filter(firm=firm), pk=pk)


def conversations_of(
    *,
    firm: ClientFirm,
    queue: Queue | int | None = None,
    status: str = "",
    breached: bool | None = None,
    language: str = "",
) -> QuerySet[Conversation]:
    """The firm's conversations, filtered; the pages order them (keyset)."""
    rows = Conversation.objects.filter(firm=firm).select_related("queue", "agent")
    if queue:
        rows = rows.filter(queue=queue)
    if status:
        rows = rows.filter(status=status)
    if breached is not None:
        rows = rows.filter(breached_at__isnull=not breached)
    if language:
        rows = rows.filter(language=language)
    return rows


def _thread() -> list:
    return [
        Prefetch(
            "messages",
            Message.objects.select_related("author").prefetch_related(
                Prefetch("attachments", Attachment.objects.order_by("pk"))
            ),
        ),
        "events__agent",
    ]


def conversation_get(*, firm: ClientFirm, pk: int) -> Conversation:
    """One of the firm's conversations with its whole thread, attachments and events."""
    rows = Conversation.objects.filter(firm=firm).select_related("queue", "agent", "address")
    return get_object_or_404(rows.prefetch_related(*_thread()), pk=pk)


def staff_conversations(*, breached_only: bool = False) -> QuerySet[Conversation]:
    """Every firm's conversations that need the staff: breached (escalated) or waiting for an
    agent, still open; oldest first (the keyset orders them)."""
    needs = (
        Q(breached_at__isnull=False)
        if breached_only
        else (Q(breached_at__isnull=False) | Q(status=Conversation.Status.WAITING))
    )
    return Conversation.objects.filter(needs, status__in=OPEN).select_related(
        "firm", "queue", "agent"
    )


def staff_conversation_get(*, pk: int) -> Conversation:
    rows = Conversation.objects.select_related("firm", "queue", "agent", "address")
    return get_object_or_404(rows.prefetch_related(*_thread()), pk=pk)


def agent_open_conversations(*, agent: AgentProfile) -> int:
    """Conversations with the agent now (their capacity's count)."""
    return Conversation.objects.filter(agent=agent, status=Conversation.Status.ASSIGNED).count()


# --- H4 (campaigns): the firm's email campaigns and suppression list ---------------------


def email_campaigns_of(*, firm: ClientFirm):
    return (
        EmailCampaign.objects.filter(firm=firm)
        .select_related("address")
        .order_by("-created_at", "-id")
    )


def email_campaign_get(*, firm: ClientFirm, pk: int) -> EmailCampaign:
    """The firm's campaign (another firm's id: 404)."""
    return get_object_or_404(
        EmailCampaign.objects.select_related("address__queue", "request", "firm"), firm=firm, pk=pk
    )


def email_suppressions_of(*, firm: ClientFirm):
    return EmailSuppression.objects.filter(firm=firm).order_by("-created_at", "-id")


"""Reads for mailroom's pages, always taken for their reader (the agent, the firm).

An agent's conversations are looked up by (agent, pk): another agent's id is a 404.
"""


Status = Conversation.Status
AGENT_OPEN = [Status.ASSIGNED, Status.ANSWERED]


def agent_conversations_open(*, agent: AgentProfile) -> QuerySet[Conversation]:
    """The agent's open conversations, the unanswered ones first, by their due time."""
    return (
        Conversation.objects.filter(agent=agent, status__in=AGENT_OPEN)
        .select_related("queue")
        .order_by("status", "first_response_due_at", "pk")
    )


def agent_waiting_count(*, agent: AgentProfile) -> int:
    """Conversations waiting in the queues of the lines the agent is engaged on."""
    lines = Engagement.objects.filter(agent=agent, status=Engagement.Status.ACTIVE).values("lines")
    return Conversation.objects.filter(status=Status.WAITING, queue__line__in=lines).count()


def agent_conversation_get(*, agent: AgentProfile, pk: int) -> Conversation:
    """One of the agent's conversations with its thread (newest last) and events."""
    messages = Message.objects.order_by("received_at", "pk").prefetch_related("attachments")
    conv = (
        Conversation.objects.filter(agent=agent, pk=pk)
        .select_related("queue", "firm")
        .prefetch_related(Prefetch("messages", queryset=messages), "events")
        .first()
    )
    if conv is None:
        raise Http404("No such conversation.")
    return conv


def templates_for(*, conversation: Conversation) -> QuerySet[Template]:
    """The firm's reply templates for the conversation's queue (or every queue)."""
    return Template.objects.filter(firm_id=conversation.firm_id).filter(
        Q(queue__isnull=True) | Q(queue_id=conversation.queue_id)
    )


def agent_attachment_get(*, agent: AgentProfile, pk: int) -> Attachment:
    """A stored attachment of a conversation assigned to the agent (never a refused one)."""
    found = (
        Attachment.objects.filter(pk=pk, message__conversation__agent=agent)
        .exclude(file="")
        .first()
    )
    if found is None:
        raise Http404("No such attachment.")
    return found
