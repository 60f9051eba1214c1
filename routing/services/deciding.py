"""Deciding where a waiting call goes: rank, lock and reserve one agent, in one transaction.

The pick and the reservation are one transaction: on PostgreSQL the nearest candidate is
locked with `SELECT … FOR UPDATE SKIP LOCKED LIMIT 1` (concurrent calls skip each other's
pick instead of queueing behind it), then reserved by a compare-and-set on its duty status
(SKIP LOCKED with ORDER BY may hand back a row that changed since the snapshot: the CAS
re-checks it). On SQLite the IMMEDIATE transaction serialises the whole decision. The
partial unique index `routing_call_one_live_per_agent` backs both.

The sticky rule (a line's `sticky_days`): a caller who called the line within those days and
was served is offered first to that agent when they are eligible and free now, they did not
already ring out on this call, and the waiting rule spares them (no older caller waiting
could take only them) — reserved with the same lock and compare-and-set. Otherwise routing
goes on as usual; the decision records which (`sticky`, `sticky_agent`, `sticky_reason`).
A call nobody free can take waits as before: the rule never holds a caller for their agent,
and an agent who frees up goes to the longest-waiting caller (`queue_dispatch`).
"""

import datetime as dt
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from agents import presence
from agents.models import AgentProfile
from common.geo import haversine_km
from routing.models import Call, RoutingDecision
from routing.selectors import (
    caller_history,
    candidate_rows,
    candidates_for,
    queue_snapshot,
    skipped_for,
)
from routing.services.tiers import Tier, Tiering, tiering_record, tiers_for

Status = Call.Status
RECORDED_CANDIDATES = 10
# Older callers the waiting rule reads per decision. More than this waiting for one firm,
# skill and language means agents really are scarce: the call waits its turn either way.
OLDER_COUNTED = 200


@dataclass
class Placement:
    """Where a decision put the call: the agent reserved for it, or None (still waiting)."""

    call: Call
    agent: AgentProfile | None


def _lock_nearest(call: Call, at: dt.datetime, among=None) -> AgentProfile | None:
    """Lock and reserve the nearest eligible free agent anywhere: one KNN locking statement
    (`ORDER BY distance LIMIT 1 FOR UPDATE SKIP LOCKED`) — the step it falls in is derived
    from its distance (`_step_of`), so one statement replaces one per radius step. It runs only
    when concurrent calls took every ranked agent; agents at exactly the same spot are then
    taken in the index's order, not longest idle first (the ranking itself settles ties)."""
    for _retry in range(3):  # the CAS can lose to a concurrent change of that row
        found = candidates_for(
            call=call, at=at, exclude=call.tried_agent_ids, among=among, limit=1, lock=True
        )
        if not found:
            return None
        if presence.presence_reserve(agent_id=found[0].pk):
            return found[0]
    return None


def _ranked(
    call: Call, at: dt.datetime, among=None
) -> tuple[list[AgentProfile], list[AgentProfile]]:
    """The nearest eligible agents (up to RECORDED_CANDIDATES) within the first of the line's
    radius steps that holds any: one nearest-first statement over every agent, cut at the
    step of the nearest — the same agents as asking step by step, in one statement. With
    them, every agent the statement found (the sticky rule looks for the caller's last agent
    there before asking about them). `among`: within a tier's agents only (`tiers`)."""
    listed = candidates_for(
        call=call, at=at, exclude=call.tried_agent_ids, among=among, limit=RECORDED_CANDIDATES
    )
    if not listed:
        return [], []
    step = _step_of(call, listed[0])
    if step is None:
        return listed, listed
    return [a for a in listed if a.km is not None and a.km <= step], listed


def _last_agent(
    call: Call,
    at: dt.datetime,
    listed: list[AgentProfile],
    decision: RoutingDecision,
    whole: bool = True,
) -> AgentProfile | None:
    """The sticky rule: the agent who last served this caller on this line within the line's
    `sticky_days`, when they may take the call now (eligible and free), else None.

    Nothing is asked when the line has the rule off. Otherwise one query (the caller's
    history); a second only when ten free agents are nearer than the last one (they are not
    among `listed`), or `listed` was a tier's only (not `whole`). Why the last agent could
    not take it is worked out when the decision is opened (`decision_explain`, from the same
    explanation as the skipped agents), not while the caller waits — unless it is known here
    for nothing."""
    if call.line.sticky_days <= 0:
        return None
    last_id = caller_history(call=call, days=call.line.sticky_days)["last_agent_id"]
    if last_id is None:
        return None  # a first call (or never served): the rule does not apply
    decision.sticky, decision.sticky_agent_id = RoutingDecision.Sticky.USUAL, last_id
    if last_id in call.tried_agent_ids:
        return None  # they rang out on this very call: explained as "already rang this call"
    found = next((a for a in listed if a.pk == last_id), None)
    if found is None and (len(listed) == RECORDED_CANDIDATES or not whole):
        asked = candidates_for(call=call, at=at, agent_id=last_id, limit=1)
        found = asked[0] if asked else None
    return found  # None: not eligible or not free now (explained when opened)


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


def spare_agents(pool: list[int], older: list[frozenset[int]]) -> list[int]:
    """The agents of `pool` (best first) a younger caller may take without an older caller
    `older` (the agents each already rang) waiting longer for it.

    The older callers are matched to agents they have not rung (a largest matching, by
    augmenting paths); an agent is spare when the older callers can all be matched as well
    without them. So a call waits only when the older callers who could take its candidates
    are at least as many as those candidates, counting a caller only for agents it has not
    rung. A caller usually rang one or two agents: nearly every match is found at once.
    """
    holder: dict[int, int] = {}  # agent -> the older caller matched to them

    def match(caller: int, seen: set[int], banned: int | None = None) -> bool:
        usable = [a for a in pool if a != banned and a not in older[caller] and a not in seen]
        for agent in usable:
            if agent not in holder:
                holder[agent] = caller
                return True
        for agent in usable:
            seen.add(agent)
            if match(holder[agent], seen, banned):
                holder[agent] = caller
                return True
        return False

    for caller in range(len(older)):
        if len(holder) == len(pool):
            break
        match(caller, set())
    if len(holder) == len(pool):
        return []  # the older callers could take every agent: none is spare
    spare = []
    for agent in pool:
        if agent in holder:
            # Could their older caller be matched to someone else? Then this agent is spare.
            caller = holder.pop(agent)
            if not match(caller, {agent}, banned=agent):
                holder[agent] = caller
                continue
        spare.append(agent)
        if len(spare) == RECORDED_CANDIDATES:
            break
    return spare


def _spare_candidates(call: Call, at: dt.datetime, ranked: list) -> list:
    """The waiting rule: the candidates `call` may take now, best first — spare ones of the
    ranked list; when the older callers could take all of those, spare ones of a wider pool
    (eligible free agents, nearest first, more than there are older callers, and more again
    while that pool was full)."""
    older, free = queue_snapshot(call=call, agent_ids=[a.pk for a in ranked], limit=OLDER_COUNTED)
    if not older:
        return ranked  # nobody waits longer: the best of them still free (the usual case)
    pool = {a.pk: a for a in ranked if a.pk in free}
    spare = spare_agents(list(pool), older)
    limit = len(older) + len(ranked) + 1
    for _widening in range(3) if not spare else []:
        wider = candidates_for(call=call, at=at, exclude=call.tried_agent_ids, limit=limit)
        older, free = queue_snapshot(
            call=call, agent_ids=[a.pk for a in [*ranked, *wider]], limit=OLDER_COUNTED
        )
        # The ranked ones first (they are nearest), each agent once.
        pool = {a.pk: a for a in [*ranked, *wider] if a.pk in free}
        spare = spare_agents(list(pool), older)
        if spare or len(wider) < limit:
            break  # a spare agent, or every eligible free agent was in the pool
        # Concurrent calls (younger ones too: they are not counted) took agents of this
        # pool between its ranking and the snapshot; the free agents beyond it count too.
        limit *= 2
    return [pool[pk] for pk in spare]


def _step_of(call: Call, agent: AgentProfile) -> float | None:
    """The first of the line's radius steps whose circle reaches the agent (None: anywhere)."""
    km = getattr(agent, "km", None)
    if km is None and None not in (agent.latitude, call.origin_latitude):
        km = haversine_km(
            call.origin_latitude, call.origin_longitude, agent.latitude, agent.longitude
        )
    if km is None:
        return None
    return next((r for r in call.line.radius_steps if r is not None and km <= r), None)


def call_route(*, call_id: int, at: dt.datetime | None = None) -> Placement:
    """Offer a waiting call to the nearest eligible agent, or leave it waiting. Idempotent.

    The decision only (`call_decide`): who was passed over, and why, is explained when someone
    opens the decision (`decision_explain`), not while the caller waits — it was ~30% of the
    webhook, for decisions that are mostly never opened. The decision keeps what the
    explanation needs (its time, the agents the call had rung out, the listed candidates).
    """
    placement, _decision = call_decide(call_id=call_id, at=at)
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
    # Rank within the line's first radius step that holds anyone (widening only when nobody is
    # there), nearest first by great-circle distance: one statement (`_ranked`), in the first
    # tier that holds anyone (scheduled first, franchises first: `tiers`).
    tiering = tiers_for(call, at)
    ranked, listed, tier = _tiered(call, at, tiering)
    # A returning caller's last agent, if they may take it, comes first (`_last_agent`).
    whole = tier is None or tier.among is None
    last = _last_agent(call, at, listed, decision, whole) if listed else None
    if last is not None:
        ranked = [last, *(a for a in ranked if a.pk != last.pk)]
    # The waiting rule holds for the last agent too: they are counted among the candidates
    # the older callers could take, and taken only if those callers can spare them.
    allowed = ranked and _spare_candidates(call, at, ranked)
    agent = _last_agent_take(decision, last, allowed) if last is not None else None
    if ranked and not allowed:
        # Oldest first while agents are scarce: the older callers could take every free
        # candidate. An agent who frees up is dispatched to the longest-waiting caller.
        decision.outcome = "waiting_behind_older"
        tiering_record(decision, tiering, tier, None)
        return _decided(decision, call, None, at, started, ranked=ranked)
    if agent is None:
        agent = _lock_first_free([a for a in allowed if last is None or a.pk != last.pk])
    if agent is None and ranked:
        # Every ranked agent was taken meanwhile (concurrent calls): the nearest still free.
        # (Nobody ranked: nobody eligible, no statement more.) Within the tier first.
        agent = _lock_nearest(call, at, among=tier.among if tier else None)
        if agent is None and tier is not None and tier.among is not None:
            agent = _lock_nearest(call, at)
    tiering_record(decision, tiering, tier, agent.pk if agent else None)
    if agent is not None:
        decision.radius_km = _step_of(call, agent)
    if agent is None:
        decision.outcome = "queued"
        return _decided(decision, call, None, at, started, ranked=ranked)
    call.agent, call.status, call.offered_at = agent, Status.OFFERED, at
    call.engagement_id = agent.engagement_id  # the one the ranking found covering the line
    call.attempts += 1
    call.save(update_fields=["agent", "engagement", "status", "offered_at", "attempts"])
    decision.outcome = "offered"
    return _decided(decision, call, agent, at, started, ranked=ranked)


def _tiered(
    call: Call, at: dt.datetime, tiering: Tiering
) -> tuple[list[AgentProfile], list[AgentProfile], Tier | None]:
    """`_ranked` in the first tier that holds an eligible free agent (None: nobody in any)."""
    for tier in tiering.tiers:
        ranked, listed = _ranked(call, at, among=tier.among)
        if ranked:
            return ranked, listed, tier
        if tier.seats is not None:
            tiering.tried.append(tier)
    return [], [], None


def _last_agent_take(
    decision: RoutingDecision, last: AgentProfile, allowed: list[AgentProfile]
) -> AgentProfile | None:
    """Reserve the caller's last agent (the same lock and compare-and-set as any pick) when
    the waiting rule allows them; record what happened on the decision."""
    if all(a.pk != last.pk for a in allowed):
        decision.sticky_reason = f"{last.full_name} is kept for a caller waiting longer"
        return None
    agent = _lock_first_free([last])
    if agent is None:  # a concurrent call reserved them since the ranking
        decision.sticky_reason = f"{last.full_name} was just offered another call"
        return None
    decision.sticky = RoutingDecision.Sticky.LAST_AGENT
    return agent


def _decided(decision, call, agent, at, started, *, ranked=()):
    chosen = [agent] if agent else []
    others = [a for a in ranked if agent is None or a.pk != agent.pk]
    decision.chosen = agent
    decision.candidates = candidate_rows(chosen + others, call, at)
    decision.decided_at = at
    decision.tried_agent_ids = list(call.tried_agent_ids)  # before this offer's outcome
    decision.elapsed_ms = round((time.perf_counter() - started) * 1000, 3)
    decision.save()
    return Placement(call, agent), decision


def decision_explain(decision: RoutingDecision, *, at: dt.datetime | None = None):
    """Record which of the firm's agents the decision passed over, and why, once: the first
    to open the decision explains it, later ones read what was stored.

    No lock: two concurrent first opens both compute, the first write wins (compare-and-set
    on `explained_at`) and the other reads the stored one back, so every reader sees one
    explanation. The rules of time (availability hours, engagement dates and hours, today's
    compliance) are judged at the decision's time (`at`, by default `decided_at`); what the
    agents are (verified, compliant, on duty, languages, skills, engagements) is read now,
    at `explained_at` — the pages say so.
    """
    if decision.explained_at is not None:
        return decision
    listed = {row["agent"] for row in decision.candidates}
    skipped = skipped_for(
        call=decision.call,
        at=at or decision.judged_at,
        chosen_ids=listed,
        tried=decision.tried_agent_ids,
    )
    sticky_reason = decision.sticky_reason
    if decision.sticky == RoutingDecision.Sticky.USUAL and not sticky_reason:
        sticky_reason = _sticky_reason(decision, skipped, at or decision.judged_at)
    now = timezone.now()
    first = RoutingDecision.objects.filter(pk=decision.pk, explained_at=None).update(
        skipped=skipped, sticky_reason=sticky_reason, explained_at=now
    )
    if first:
        decision.skipped, decision.explained_at = skipped, now
        decision.sticky_reason = sticky_reason
    else:  # a concurrent open stored its explanation first: show that one
        decision.refresh_from_db(fields=["skipped", "sticky_reason", "explained_at"])
    return decision


# The explanation's reasons (selectors.skipped_for), said of the caller's last agent.
STICKY_WORDS = {
    "offline": "is not on duty",
    "call offered": "is on another call",
    "on a call": "is on another call",
    "wrap-up": "is wrapping up another call",
    "not engaged on this line": "is not engaged on this line now",
    "engagement not started": "is not engaged on this line now",
    "engagement ended": "is not engaged on this line now",
    "outside the engagement's hours": "is not engaged on this line now",
    "outside their availability": "is outside their hours",
    "did not answer this call": "already rang this call",
    "farther": "was not free when the call came",  # free again by the time it is opened
}


def _sticky_reason(decision: RoutingDecision, skipped: list[dict], at: dt.datetime) -> str:
    """Why the caller's last agent could not take the call, in plain words: from the same
    explanation as the skipped agents (asked about them alone when the firm's list did not
    reach them)."""
    agent_id = decision.sticky_agent_id
    row = next((s for s in skipped if s["agent"] == agent_id), None)
    if row is None and agent_id is not None:
        alone = skipped_for(
            call=decision.call,
            at=at,
            chosen_ids=set(),
            tried=decision.tried_agent_ids,
            agent_id=agent_id,
        )
        row = alone[0] if alone else None
    if row is None:
        name = decision.sticky_agent.full_name if decision.sticky_agent else "Their last agent"
        return f"{name} is no longer engaged with {decision.call.firm.name}"
    reasons = row["reasons"]
    if agent_id in decision.tried_agent_ids:
        reasons = ["did not answer this call"]  # the reason that settles it
    said = [STICKY_WORDS.get(r, r) for r in reasons]
    return f"{row['name']} {', '.join(dict.fromkeys(said))}"[:200]


def decisions_explain(decisions) -> list[RoutingDecision]:
    """`decision_explain` for each decision a page shows (those explained already cost
    nothing): the decisions, as a list."""
    return [decision_explain(d) for d in decisions]
