"""Agents freeing up (dispatch to the longest-waiting caller) and wrap-ups ending."""

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from agents import presence
from agents.models import AgentProfile
from routing.models import Call, RoutingDecision
from routing.selectors import (
    candidate_rows,
    candidates_for,
    waiting_calls_for,
)

Status = Call.Status


def _dispatch_on_commit(agent_id: int | None) -> None:
    """Once this transaction commits, offer the freed agent to the longest-waiting caller."""
    if agent_id is not None:
        # robust: a failure here (a database blip) must not skip the callbacks after it.
        transaction.on_commit(lambda: queue_dispatch(agent_id=agent_id), robust=True)


@transaction.atomic
def queue_dispatch(*, agent_id: int, at: dt.datetime | None = None) -> Call | None:
    """An agent is free: reserve them for the longest-waiting caller they can serve."""
    at = at or timezone.now()
    agent = AgentProfile.objects.select_for_update().filter(pk=agent_id).first()
    if agent is None or agent.duty_status != AgentProfile.Duty.AVAILABLE:
        return None
    waiting = waiting_calls_for(agent=agent, at=at)
    if connection.features.has_select_for_update_skip_locked:
        waiting = waiting.select_for_update(skip_locked=True, of=("self",))
    for call in waiting[:20]:
        # The queue's filter is coarse (firm, language, domain); check this agent exactly.
        exact = candidates_for(
            call=call, at=at, exclude=call.tried_agent_ids, agent_id=agent.pk, limit=1
        )
        if not exact:
            continue
        if not presence.presence_reserve(agent_id=agent.pk):
            return None
        call.agent, call.status, call.offered_at = agent, Status.OFFERED, at
        call.engagement_id = exact[0].engagement_id  # the one covering the call's line now
        call.attempts += 1
        call.save(update_fields=["agent", "engagement", "status", "offered_at", "attempts"])
        RoutingDecision.objects.create(
            call=call,
            attempt=call.attempts,
            chosen=agent,
            outcome="dispatched",
            candidates=candidate_rows([agent], call, at),
        )
        return call
    return None


def wrap_up_end(*, agent_id: int, at: dt.datetime | None = None) -> bool:
    at = at or timezone.now()
    ended = AgentProfile.objects.filter(
        pk=agent_id, duty_status=AgentProfile.Duty.WRAP_UP, wrap_up_until__lte=at
    ).exists() and presence.presence_wrap_up_end(agent_id=agent_id)
    if ended:
        queue_dispatch(agent_id=agent_id, at=at)
    return ended
