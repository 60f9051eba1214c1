"""Reads for mailroom's pages, always taken for their reader (the agent, the firm).

An agent's conversations are looked up by (agent, pk): another agent's id is a 404.
"""

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from agents.models import AgentProfile
from clients.models import Engagement
from mailroom.models import Attachment, Conversation, Message, Template

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
