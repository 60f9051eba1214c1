"""Offering conversations to agents (issue 18).

`conversation_route` gives a waiting conversation to the best eligible agent
(mailroom.eligibility: fewest open conversations, then longest idle). Locks: the conversation
row first (re-read: still waiting, nobody else routed it), then the chosen agent's row, and
only then their open conversations are counted again — two routes racing for the last place
of one agent's capacity queue on that agent's row, and the second one counts the first one's
assignment (PostgreSQL's READ COMMITTED: each statement after the lock sees what committed).
Every writer here takes conversation, then agent, in that order, so they cannot deadlock;
routing's deciders skip locked agents (SKIP LOCKED) and never wait on ours.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from agents.models import AgentProfile
from clients.selectors import engagement_covering
from common.errors import ApplicationError
from mailroom.eligibility import agent_may_keep, agents_eligible_for, agents_not_keeping
from mailroom.models import Conversation, Event

Status = Conversation.Status
# Candidates tried per route: each one is locked and counted again; more than this many
# filling up between the ranking and the lock means everyone is full anyway.
TRIED = 5
# Waiting conversations offered to one agent who just became free, oldest first.
DISPATCH_SCAN = 20


def _idle(agent: AgentProfile, at: dt.datetime) -> str:
    if agent.duty_changed_at is None:
        return "idle"
    minutes = max(0, int((at - agent.duty_changed_at).total_seconds() // 60))
    return f"idle {minutes} min"


@transaction.atomic
def conversation_route(conversation: Conversation, *, at: dt.datetime | None = None):
    """Assign a waiting conversation to the best eligible agent, or leave it waiting; returns
    the agent or None."""
    at = at or timezone.now()
    conv = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("queue__line")
        .filter(pk=conversation.pk, status=Status.WAITING)
        .first()
    )
    if conv is None:
        return None  # routed (or closed) meanwhile
    ranked = [a.pk for a in agents_eligible_for(conversation=conv, at=at)[:TRIED]]
    # All the candidates locked at once, in primary-key order: locked one by one in rank order,
    # a full agent's lock stayed held while the next was awaited, and two routes ranking the
    # same agents differently deadlocked (PostgreSQL, tests/mailroom/test_capacity_race…).
    locked = AgentProfile.objects.select_for_update().filter(pk__in=ranked).order_by("pk")
    rows = {agent.pk: agent for agent in locked}
    for pk in ranked:
        agent = rows.get(pk)
        if agent is None or agent.duty_status != AgentProfile.Duty.AVAILABLE:
            continue  # a call took them between the ranking and the lock
        held = Conversation.objects.filter(agent=agent, status=Status.ASSIGNED).count()
        if held >= agent.email_capacity:
            continue  # a concurrent route filled their last place
        engagement = engagement_covering(agent=agent, line=conv.queue.line_id, at=at)
        if engagement is None:
            continue  # ended between the ranking and the lock
        conv.status, conv.agent, conv.assigned_at = Status.ASSIGNED, agent, at
        conv.engagement = engagement
        conv.save(update_fields=["status", "agent", "engagement", "assigned_at"])
        reason = f"fewest open ({held} of {agent.email_capacity}), {_idle(agent, at)}"
        Event.objects.create(
            conversation=conv, kind=Event.Kind.ASSIGNED, agent=agent, detail=reason
        )
        conversation.status, conversation.agent_id = conv.status, agent.pk
        return agent
    return None


@transaction.atomic
def conversation_release(
    conversation: Conversation, *, reason: str, at: dt.datetime | None = None
) -> bool:
    """Put an assigned, unanswered conversation back in the queue (Event RELEASED); the
    caller routes it again. False when it was answered, closed or released meanwhile."""
    conv = (
        Conversation.objects.select_for_update()
        .filter(pk=conversation.pk, status=Status.ASSIGNED, first_response_at__isnull=True)
        .first()
    )
    if conv is None:
        return False
    Event.objects.create(
        conversation=conv, kind=Event.Kind.RELEASED, agent_id=conv.agent_id, detail=reason
    )
    conv.status, conv.agent, conv.engagement, conv.assigned_at = Status.WAITING, None, None, None
    conv.save(update_fields=["status", "agent", "engagement", "assigned_at"])
    return True


def conversation_reassign(conversation: Conversation, *, reason: str, at=None):
    """Release and route again: Event REASSIGNED names the new agent when there is one."""
    previous = conversation.agent_id
    if not conversation_release(conversation, reason=reason, at=at):
        return None
    agent = conversation_route(conversation, at=at)
    if agent is not None and agent.pk != previous:
        Event.objects.create(
            conversation_id=conversation.pk,
            kind=Event.Kind.REASSIGNED,
            agent=agent,
            detail=f"from another agent: {reason}",
        )
    return agent


def agent_conversations_release(*, agent_id: int, reason: str = "the agent went offline") -> int:
    """An agent went offline: their unanswered conversations go to someone else (answered
    ones stay theirs: the consumer's next message reopens it, to them if they are back)."""
    held = Conversation.objects.filter(
        agent_id=agent_id, status=Status.ASSIGNED, first_response_at__isnull=True
    ).order_by("pk")
    count = 0
    for conv in list(held):
        if agent_may_keep(conversation=conv):
            continue  # back on duty before this ran (a signal late, or a sweep)
        conversation_reassign(conv, reason=reason)
        count += 1
    return count


def waiting_route_for_agent(*, agent_id: int) -> int:
    """An agent is free again: offer them the waiting conversations of the lines they are
    engaged on, oldest first, until their capacity is full (each goes to the best agent,
    which is usually them: the others were already full or busy)."""
    agent = AgentProfile.objects.filter(pk=agent_id, duty_status=AgentProfile.Duty.AVAILABLE)
    if not agent.exists():
        return 0
    waiting = (
        Conversation.objects.filter(
            status=Status.WAITING, queue__line__engagements__agent_id=agent_id
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
        .distinct()
    )
    routed = 0
    for pk in list(waiting[:DISPATCH_SCAN]):
        if conversation_route(Conversation(pk=pk)) is not None:
            routed += 1
    return routed


def conversations_sweep(*, at: dt.datetime | None = None) -> tuple[int, int]:
    """The database is the truth (signals may be lost): release assigned, unanswered
    conversations whose agent is offline or no longer eligible, then route every waiting
    conversation, oldest first. Returns (released, routed)."""
    at = at or timezone.now()
    released = 0
    for conv in list(agents_not_keeping(at=at).order_by("pk")[:500]):
        if conversation_release(conv, reason="the agent is offline or no longer eligible"):
            released += 1
    routed = 0
    waiting = Conversation.objects.filter(status=Status.WAITING).order_by("created_at", "pk")
    for pk in list(waiting.values_list("pk", flat=True)[:500]):
        if conversation_route(Conversation(pk=pk), at=at) is not None:
            routed += 1
    return released, routed


@transaction.atomic
def agent_email_capacity_set(*, agent: AgentProfile, capacity: int) -> AgentProfile:
    """The agent's own setting: how many conversations they hold at once (0: none). Lowering
    it takes nothing away; raising it routes waiting conversations to them after commit."""
    if not 0 <= capacity <= 10:
        raise ApplicationError("Take 0 to 10 email conversations at once.", field="email_capacity")
    locked = AgentProfile.objects.select_for_update().get(pk=agent.pk)
    locked.email_capacity = capacity
    locked.save(update_fields=["email_capacity"])
    agent_id = locked.pk
    transaction.on_commit(lambda: waiting_route_for_agent(agent_id=agent_id), robust=True)
    return locked
