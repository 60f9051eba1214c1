"""Agents freeing up: dispatch to the longest-waiting caller (wrap-ups end in `wrapup`)."""

import datetime as dt

from django.db import transaction
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


# Waiting calls a freed agent looks through, oldest first, for one they can take.
DISPATCH_SCAN = 50


@transaction.atomic
def queue_dispatch(*, agent_id: int, at: dt.datetime | None = None) -> Call | None:
    """An agent is free: reserve them for the longest-waiting caller they can serve.

    In queue order under a lock: each waiting call is locked in turn, oldest first, and
    re-read. No SKIP LOCKED here: two agents freeing at once would each skip the call the
    other is looking at, and a younger caller would be served ahead of an older one (with
    a batch locked, ahead of twenty). Waiting on the row instead, the second dispatcher sees
    the oldest caller placed and takes the next. Locks follow the queue's order (queued
    time, id) in every dispatcher, so two of them cannot deadlock; deciders never wait on an
    agent's row (they skip locked agents), so the agent's lock taken first is safe too.
    """
    at = at or timezone.now()
    agent = AgentProfile.objects.select_for_update().filter(pk=agent_id).first()
    if agent is None or agent.duty_status != AgentProfile.Duty.AVAILABLE:
        return None
    waiting = waiting_calls_for(agent=agent, at=at).values_list("pk", flat=True)
    for call_id in list(waiting[:DISPATCH_SCAN]):
        call = (
            Call.objects.select_for_update(of=("self",))
            .filter(pk=call_id, status=Status.QUEUED)
            .first()
        )
        if call is None:
            continue  # placed (or gone) while this dispatcher waited for it
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
            decided_at=at,
            tried_agent_ids=list(call.tried_agent_ids),
            # Nothing to explain: an agent freed up and took the longest-waiting caller.
            explained_at=at,
        )
        return call
    return None
