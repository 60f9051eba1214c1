"""Agents freeing up (dispatch to the longest-waiting caller), wrap-ups ending, the sweep."""

import datetime as dt

from django.conf import settings
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
        transaction.on_commit(lambda: queue_dispatch(agent_id=agent_id))


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
        if not candidates_for(
            call=call, at=at, exclude=call.tried_agent_ids, agent_id=agent.pk, limit=1
        ):
            continue
        if not presence.presence_reserve(agent_id=agent.pk):
            return None
        call.agent, call.status, call.offered_at = agent, Status.OFFERED, at
        call.attempts += 1
        call.save(update_fields=["agent", "status", "offered_at", "attempts"])
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
    """The agent's wrap-up is over: available again, and at once offered the longest-waiting
    caller (safe to repeat: compare-and-set)."""
    at = at or timezone.now()
    ended = AgentProfile.objects.filter(
        pk=agent_id, duty_status=AgentProfile.Duty.WRAP_UP, wrap_up_until__lte=at
    ).exists() and presence.presence_wrap_up_end(agent_id=agent_id)
    if ended:
        queue_dispatch(agent_id=agent_id, at=at)
    return ended


def routing_sweep(*, at: dt.datetime | None = None) -> dict[str, int]:
    """Beat, every few seconds: end due wrap-ups, free reservations stuck past the ring timeout.

    A reservation whose provider never reported back (a lost callback) would keep an agent
    out of routing for good; past ring timeout + margin it is released without a strike.
    """
    at = at or timezone.now()
    wrapped = sum(wrap_up_end(agent_id=pk, at=at) for pk in presence.wrap_ups_due(now=at))
    freed = 0
    margin = dt.timedelta(seconds=settings.ROUTING_RESERVATION_MARGIN_SECONDS)
    # No line rings for less than 5 s: older offers are the only ones that can be overdue.
    overdue_before = at - margin - dt.timedelta(seconds=5)
    stuck = Call.objects.filter(
        status=Status.OFFERED, answered_at__isnull=True, offered_at__lt=overdue_before
    ).select_related("line")
    for call in stuck:
        if call.offered_at + dt.timedelta(seconds=call.line.ring_timeout_seconds) + margin < at:
            with transaction.atomic():
                locked = Call.objects.select_for_update().get(pk=call.pk)
                if locked.status == Status.OFFERED and locked.answered_at is None:
                    presence.presence_release(agent_id=locked.agent_id)
                    _dispatch_on_commit(locked.agent_id)
                    locked.tried_agent_ids = [*locked.tried_agent_ids, locked.agent_id]
                    locked.agent, locked.status, locked.offered_at = None, Status.QUEUED, None
                    locked.outcome = "Reservation expired (no word from the provider)"
                    locked.save()
                    freed += 1
    return {"wrap_ups_ended": wrapped, "reservations_freed": freed}
