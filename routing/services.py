"""Routing: every inbound call to the nearest available agent who speaks the caller's language.

The one rule that must never break: an agent holds at most one live call or reservation.
The pick and the reservation are one transaction: on PostgreSQL the nearest candidate is
locked with `SELECT … FOR UPDATE SKIP LOCKED LIMIT 1` (concurrent calls skip each other's
pick instead of queueing behind it), then reserved by a compare-and-set on its duty status
(SKIP LOCKED with ORDER BY may hand back a row that changed since the snapshot: the CAS
re-checks it). On SQLite the IMMEDIATE transaction serialises the whole decision. The
partial unique index `routing_call_one_live_per_agent` backs both.
"""

import datetime as dt
import time
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from agents import presence
from agents.models import AgentProfile
from clients.models import PhoneLine
from common.errors import ApplicationError, ConflictError
from common.geo import haversine_km
from routing.models import Call, ProviderRequest, RoutingDecision
from routing.origin import origin_resolve
from routing.selectors import (
    candidate_rows,
    candidates_for,
    older_waiting_call_exists,
    skipped_for,
    waiting_calls_for,
)
from routing.signals import call_completed

Status = Call.Status
RECORDED_CANDIDATES = 10


@dataclass
class Placement:
    call: Call
    agent: AgentProfile | None


def line_is_open(line: PhoneLine, at: dt.datetime) -> bool:
    local = at.astimezone(zoneinfo.ZoneInfo(line.time_zone))
    return (
        str(local.weekday()) in line.business_days
        and line.opens_at <= local.time().replace(tzinfo=None) < line.closes_at
    )


def call_start(
    *,
    provider: str,
    provider_call_id: str,
    to: str,
    caller: str,
    provider_location: dict | None = None,
    language: str = "",
    at: dt.datetime | None = None,
) -> Call:
    """The call for this provider id: created on first sight, returned as it is on a retry."""
    existing = Call.objects.filter(provider=provider, provider_call_id=provider_call_id).first()
    if existing is not None:
        return existing
    at = at or timezone.now()
    line = (
        PhoneLine.objects.select_related("firm")
        .prefetch_related("languages")
        .filter(number=to, is_active=True)
        .first()
    )
    if line is None:
        raise ApplicationError(f"No active line has the number {to}.", field="to")
    offered = [x.language for x in line.languages.all()]
    if language and language not in offered:
        raise ApplicationError(
            f"This line offers {', '.join(offered)}, not {language}.", field="language"
        )
    language = language or (offered[0] if len(offered) == 1 else "")
    origin = origin_resolve(caller=caller, line=line, provider_location=provider_location)
    call = Call(
        provider=provider,
        provider_call_id=provider_call_id,
        line=line,
        firm=line.firm,
        caller=caller,
        origin_label=origin.label,
        origin_latitude=origin.latitude,
        origin_longitude=origin.longitude,
        origin_source=origin.source,
        language=language,
        domain=line.domain,
        sub_skill=line.sub_skill,
    )
    if not line_is_open(line, at):
        call.status, call.ended_at, call.outcome = Status.AFTER_HOURS, at, "Outside business hours"
    elif language:
        call.status, call.queued_at = Status.QUEUED, at
    try:
        with transaction.atomic():
            call.save()
    except IntegrityError:
        # The same provider id created by a concurrent retry: answer from that one.
        return Call.objects.get(provider=provider, provider_call_id=provider_call_id)
    return call


@transaction.atomic
def call_language_choose(*, call_id: int, digit: str, at: dt.datetime | None = None) -> Call:
    """The caller pressed a menu digit. Two wrong presses: the line's first language."""
    call = Call.objects.select_for_update(of=("self",)).select_related("line").get(pk=call_id)
    if call.status != Status.MENU:
        return call  # a retry after the choice was made
    languages = list(call.line.languages.all())
    chosen = next((x.language for x in languages if str(x.menu_digit) == str(digit).strip()), "")
    call.menu_tries += 1
    if not chosen and call.menu_tries >= 2:
        chosen = languages[0].language
    if chosen:
        call.language, call.status, call.queued_at = chosen, Status.QUEUED, at or timezone.now()
    call.save(update_fields=["language", "status", "queued_at", "menu_tries"])
    return call


def _lock_nearest(call: Call, at: dt.datetime, radius_km: float | None):
    found = candidates_for(
        call=call, at=at, radius_km=radius_km, exclude=call.tried_agent_ids, limit=1, lock=True
    )
    return found[0] if found else None


def _lock_first_free(ranked: list[AgentProfile]) -> AgentProfile | None:
    """Lock and reserve the best-ranked agent still available (SKIP LOCKED, LIMIT 1)."""
    if not ranked:
        return None
    ids = [a.pk for a in ranked]
    # Only placeholders are formatted in: one per id, ranked by their position.
    marks = ", ".join(["%s"] * len(ids))
    whens = " ".join(f"WHEN %s THEN {i}" for i in range(len(ids)))
    sql = (
        f"SELECT id FROM agents_agentprofile WHERE id IN ({marks}) AND duty_status = %s"  # noqa: S608
        f" ORDER BY CASE id {whens} END LIMIT 1"
    )
    if connection.features.has_select_for_update_skip_locked:
        sql += " FOR UPDATE SKIP LOCKED"
    with connection.cursor() as cursor:
        for _retry in range(3):  # the CAS re-checks the row SKIP LOCKED handed back
            cursor.execute(sql, [*ids, AgentProfile.Duty.AVAILABLE, *ids])
            row = cursor.fetchone()
            if row is None:
                return None
            if presence.presence_reserve(agent_id=row[0]):
                return next(a for a in ranked if a.pk == row[0])
    return None


def _step_of(call: Call, agent: AgentProfile) -> float | None:
    """The first of the line's radius steps that reaches the agent (None: anywhere)."""
    if None in (agent.latitude, call.origin_latitude):
        return None
    km = haversine_km(call.origin_latitude, call.origin_longitude, agent.latitude, agent.longitude)
    return next((r for r in call.line.radius_steps if r is not None and km <= r), None)


def call_route(*, call_id: int, at: dt.datetime | None = None) -> Placement:
    """Offer a waiting call to the nearest eligible agent, or leave it waiting. Idempotent.

    Two steps: the decision (one short transaction holding the call's and the agent's row
    locks), then its explanation — which engaged agents were passed over, and why — written
    once the decision has committed: it explains a decision, it does not make it, so its
    queries never hold the locks that concurrent calls wait on.
    """
    at = at or timezone.now()
    placement, decision = call_decide(call_id=call_id, at=at)
    if decision is not None:
        decision_explain(decision, at=at)
    return placement


@transaction.atomic
def call_decide(
    *, call_id: int, at: dt.datetime | None = None
) -> tuple[Placement, RoutingDecision | None]:
    """The decision alone: pick and reserve the agent, record the ranked candidates.

    Returns the placement and the decision recorded (None when the call needed none: a retry
    of a placed call, or a call no longer waiting).
    """
    started = time.perf_counter()
    at = at or timezone.now()
    # OF self: lock the call only. PostgreSQL refuses FOR UPDATE on the nullable side of the
    # agent's outer join, and locking the joined line would serialise every call on it.
    call = Call.objects.select_for_update(of=("self",)).select_related("line").get(pk=call_id)
    if call.status == Status.OFFERED:
        return Placement(call, call.agent), None  # placed already (a retry, or dispatched)
    if call.status != Status.QUEUED:
        return Placement(call, None), None
    decision = RoutingDecision(call=call, attempt=call.attempts + 1)
    # Rank within the line's first radius step, widening only when nobody is there: with
    # steps, the ranking reads the nearby available agents only (a bounding box on the
    # partial index of available agents' coordinates).
    ranked = []
    for radius in call.line.radius_steps:
        ranked = candidates_for(
            call=call,
            at=at,
            radius_km=radius,
            exclude=call.tried_agent_ids,
            limit=RECORDED_CANDIDATES,
        )
        if ranked:
            break
    if ranked and older_waiting_call_exists(call=call, agent_ids={a.pk for a in ranked}):
        # Oldest first: an agent who frees up is dispatched to the longest-waiting caller
        # (unless that caller already rang them: then they are free for this one).
        decision.outcome = "waiting_behind_older"
        return _decided(decision, call, None, at, started, ranked=ranked)
    # The ranked list is the nearest-first answer already: lock its best free agent by id
    # (a cheap query on at most ten rows). Only when other calls took all ten does the full
    # query run again, step by step through the line's radii.
    agent = _lock_first_free(ranked)
    if agent is not None:
        decision.radius_km = _step_of(call, agent)
    for radius in call.line.radius_steps if agent is None else []:
        for _retry in range(3):  # the CAS can lose to a concurrent change of that row
            agent = _lock_nearest(call, at, radius)
            if agent is None or presence.presence_reserve(agent_id=agent.pk):
                break
            agent = None
        if agent is not None:
            decision.radius_km = radius
            break
    if agent is None:
        decision.outcome = "queued"
        return _decided(decision, call, None, at, started, ranked=ranked)
    call.agent, call.status, call.offered_at = agent, Status.OFFERED, at
    call.attempts += 1
    call.save(update_fields=["agent", "status", "offered_at", "attempts"])
    decision.outcome = "offered"
    return _decided(decision, call, agent, at, started, ranked=ranked)


def _decided(decision, call, agent, at, started, *, ranked=()):
    chosen = [agent] if agent else []
    others = [a for a in ranked if agent is None or a.pk != agent.pk]
    decision.chosen = agent
    decision.candidates = candidate_rows(chosen + others, call, at)
    decision.elapsed_ms = round((time.perf_counter() - started) * 1000, 3)
    decision.save()
    return Placement(call, agent), decision


def decision_explain(decision: RoutingDecision, *, at: dt.datetime) -> RoutingDecision:
    """Record which of the firm's agents the decision passed over, and why (after commit).

    The reasons describe the agents as they are a moment after the decision (the same
    request, two index-served queries), which is what staff and the firm need to read it.
    """
    listed = {row["agent"] for row in decision.candidates}
    decision.skipped = skipped_for(call=decision.call, at=at, chosen_ids=listed)
    RoutingDecision.objects.filter(pk=decision.pk).update(skipped=decision.skipped)
    return decision


# --- What the provider tells us afterwards ----------------------------------------------


@transaction.atomic
def call_answered(*, call_id: int, at: dt.datetime | None = None) -> Call:
    call = Call.objects.select_for_update().get(pk=call_id)
    if call.status != Status.OFFERED:
        return call  # repeated or late event
    call.status, call.answered_at = Status.IN_PROGRESS, at or timezone.now()
    call.save(update_fields=["status", "answered_at"])
    presence.presence_answered(agent_id=call.agent_id)
    return call


@transaction.atomic
def call_completed_with(*, call_id: int, duration: int, at: dt.datetime | None = None) -> Call:
    """The agent talked `duration` seconds and the call ended: close it, agent to wrap-up."""
    at = at or timezone.now()
    call = Call.objects.select_for_update(of=("self",)).select_related("line").get(pk=call_id)
    if call.status not in Call.LIVE:
        return call
    if duration < 0:
        raise ApplicationError("The duration cannot be negative.", field="duration")
    call.answered_at = call.answered_at or at - dt.timedelta(seconds=duration)
    call.status, call.ended_at, call.talk_seconds = Status.COMPLETED, at, duration
    call.outcome = "Answered"
    call.save(update_fields=["status", "answered_at", "ended_at", "talk_seconds", "outcome"])
    agent_id = call.agent_id
    presence.presence_wrap_up(agent_id=agent_id, seconds=call.line.wrap_up_seconds)
    _after_wrap_up(agent_id, call.line.wrap_up_seconds)
    transaction.on_commit(lambda: call_completed.send(sender=Call, call=call))
    return call


def _after_wrap_up(agent_id: int, seconds: int) -> None:
    from routing.tasks import wrap_up_end_task

    if seconds <= 0:
        _dispatch_on_commit(agent_id)  # straight back to available: serve whoever waits
        return

    def enqueue():
        if settings.CELERY_TASK_ALWAYS_EAGER:
            return  # inline tasks ignore countdowns: the sweep ends the wrap-up on time
        wrap_up_end_task.apply_async(args=[agent_id], countdown=seconds)

    transaction.on_commit(enqueue)


def _dispatch_on_commit(agent_id: int | None) -> None:
    """Once this transaction commits, offer the freed agent to the longest-waiting caller."""
    if agent_id is not None:
        transaction.on_commit(lambda: queue_dispatch(agent_id=agent_id))


@transaction.atomic
def call_not_answered(*, call_id: int, reason: str, at: dt.datetime | None = None) -> Call:
    """The offered agent did not answer (no answer, busy, failed): strike, then next candidate.

    Returns the call back in the queue (keeping its place) or, past the attempt limit, with
    status QUEUED and `attempts` at the limit — the caller then goes to voicemail.
    """
    call = Call.objects.select_for_update().get(pk=call_id)
    if call.status != Status.OFFERED:
        return call
    if not presence.presence_no_answer(agent_id=call.agent_id):
        _dispatch_on_commit(call.agent_id)  # back in line (not offline): someone may wait
    call.tried_agent_ids = [*call.tried_agent_ids, call.agent_id]
    call.agent, call.status, call.offered_at = None, Status.QUEUED, None
    call.outcome = f"Agent did not answer ({reason})"
    call.save(update_fields=["tried_agent_ids", "agent", "status", "offered_at", "outcome"])
    return call


def attempts_exhausted(call: Call) -> bool:
    return call.attempts >= settings.ROUTING_MAX_ATTEMPTS


@transaction.atomic
def call_hung_up(*, call_id: int, at: dt.datetime | None = None) -> Call:
    """The caller's leg ended (status callback). Whatever the call was doing, it is over."""
    at = at or timezone.now()
    call = Call.objects.select_for_update(of=("self",)).select_related("line").get(pk=call_id)
    if call.status in Call.ENDED:
        return call
    if call.status == Status.IN_PROGRESS:
        duration = int((at - call.answered_at).total_seconds())
        return call_completed_with(call_id=call.pk, duration=max(duration, 0), at=at)
    if call.status == Status.OFFERED:
        presence.presence_release(agent_id=call.agent_id)
        _dispatch_on_commit(call.agent_id)
        call.agent = None
    call.status, call.ended_at, call.outcome = Status.ABANDONED, at, "Caller hung up"
    call.save(update_fields=["status", "ended_at", "outcome", "agent"])
    return call


@transaction.atomic
def call_voicemail(*, call_id: int, recording_url: str = "", at: dt.datetime | None = None):
    call = Call.objects.select_for_update().get(pk=call_id)
    if call.status not in Call.WAITING:
        if call.status == Status.VOICEMAIL and recording_url and not call.recording_url:
            call.recording_url = recording_url
            call.save(update_fields=["recording_url"])
        return call
    call.status, call.ended_at = Status.VOICEMAIL, at or timezone.now()
    call.outcome, call.recording_url = "Voicemail / callback request", recording_url
    call.save(update_fields=["status", "ended_at", "outcome", "recording_url"])
    return call


@transaction.atomic
def call_failed(*, call_id: int, reason: str, at: dt.datetime | None = None) -> Call:
    call = Call.objects.select_for_update().get(pk=call_id)
    if call.status in Call.ENDED:
        return call
    if call.status == Status.IN_PROGRESS:
        raise ConflictError("The call was answered; report how it ended with 'completed'.")
    if call.status == Status.OFFERED:
        presence.presence_release(agent_id=call.agent_id)
        _dispatch_on_commit(call.agent_id)
        call.agent = None
    call.status, call.ended_at, call.outcome = Status.FAILED, at or timezone.now(), reason
    call.save(update_fields=["status", "ended_at", "outcome", "agent"])
    return call


# --- Agents freeing up, and the sweep ---------------------------------------------------


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


def provider_request_record(
    *, provider: str, key: str, content_type: str, body: str, status_code: int
) -> ProviderRequest:
    """Keep the answer given to a provider's request, so a retry of it gets the same answer.
    Two copies of one request racing: the unique (provider, key) lets one row in, and the
    loser returns the winner's answer instead."""
    try:
        with transaction.atomic():
            return ProviderRequest.objects.create(
                provider=provider,
                key=key,
                content_type=content_type,
                body=body,
                status_code=status_code,
            )
    except IntegrityError:
        return ProviderRequest.objects.get(provider=provider, key=key)
