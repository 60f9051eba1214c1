"""Reads for routing: who may take this call, nearest first; and what the pages show."""

import datetime as dt
import json
import math
from collections.abc import Collection

from django.db import connection
from django.db.models import (
    Avg,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from agents.models import AgentLanguage, AgentProfile, AgentSkill, AvailabilityWindow
from agents.selectors import agents_available_sql, minute_of_week, skills_matching
from clients.models import ClientFirm, DispositionCode, Engagement, PhoneLine
from clients.selectors import engagement_covering_sql
from common.geo import EARTH_RADIUS_KM, bounding_box, haversine_km
from routing import analytics
from routing.analytics import day_bounds  # noqa: F401 (read here by older callers)
from routing.models import Call, CallbackRequest, CallScore, ProviderRequest, RoutingDecision

# The ranking, by hand: the agents app's availability conditions (`agents_available_sql`, the
# SQL form of `agents_available_for`, rendered from that queryset once per process) plus an
# engagement that covers the call's line now (`engagement_covering_sql`, the SQL form of
# `Engagement.objects.covering`: the line is one of its lines, the request's days, hours and
# dates hold in its zone), nearest first. The covering engagement's id comes back with each
# agent: the reservation records it on the call, and billing prices the call by it.
# Written as SQL because a waiting caller waits on it: the ORM form took ~2.5 ms of Python to
# build per call, as long as PostgreSQL takes to answer it (docs/performance.md).
#
# Nearest is exact (true great-circle order, ties by longest idle then id):
# - PostgreSQL: each available agent's home as a point on the unit sphere (a `cube`), indexed
#   with GiST (agents_profile_nearby_knn_idx, migration agents 0011); `ORDER BY point <->
#   origin` walks that index nearest first (KNN). The chord `<->` measures is monotone with
#   the great-circle distance, so its order is the great-circle order. A radius step is a
#   circle: the cube enclosing it (`cube_enlarge`, served by the same index) plus the exact
#   chord check. The expression must stay identical to the index's (EARTH_POINT).
# - SQLite (the embedded demo): a bounding box in SQL, then the exact haversine distance,
#   the circle and the order in Python.
RANKED_SQL = """
SELECT p.id, p.full_name, p.phone, p.latitude, p.longitude, p.duty_changed_at, {chord} AS chord,
       {engagement} AS engagement_id
  FROM agents_agentprofile p
 WHERE {available}
   AND {engagement} IS NOT NULL
   {conditions}
 ORDER BY {order}
 LIMIT %(limit)s {lock}
"""
# KNN: PostgreSQL walks a GiST index in `<->` order only when that is the whole ORDER BY (no
# incremental sort follows an ordering operator: with the tie-breakers in the same ORDER BY it
# sorted all 50k available agents, ~1 s at 1M). So the nearest come from the index, one more
# than asked, and the ties among them are ordered outside; a tie across the cut (that extra
# row as near as the last) is settled exactly by ranking again within that circle
# (WITHIN_TIE). The locking pick (LIMIT 1) takes the nearest unlocked agent; between agents
# at exactly the same spot the index's order decides there, not idle time.
KNN_SQL = """
SELECT * FROM ({ranked}) nearest
 ORDER BY chord, duty_changed_at, id
"""
# The point on the unit sphere (x, y, z) of an agent's home: written out with `cube`'s own
# functions (what earthdistance's ll_to_earth does, without its unqualified SQL body, which
# breaks pg_dump/restore; see docs/architecture.md). Identical in the index (migration).
EARTH_POINT = (
    "cube(cube(cube(cos(radians(p.latitude)) * cos(radians(p.longitude))),"
    " cos(radians(p.latitude)) * sin(radians(p.longitude))), sin(radians(p.latitude)))"
)
ORIGIN = "cube(ARRAY[%(ox)s, %(oy)s, %(oz)s]::float8[])"
# The KNN index is partial: its predicate, written literally (the availability rule passes its
# statuses as parameters, and a generic plan of a server-side prepared statement could not
# prove the predicate from parameters: it would sort every available agent instead).
KNN_INDEX_PREDICATE = (
    f"AND p.status = '{AgentProfile.Status.VERIFIED.value}'"
    f" AND p.duty_status = '{AgentProfile.Duty.AVAILABLE.value}'"
)
WITHIN_TIE = (
    f"AND cube_enlarge({ORIGIN}, %(tie)s, 3) @> {EARTH_POINT}"
    f" AND {EARTH_POINT} <-> {ORIGIN} <= %(tie)s"
)


def unit_point(lat: float, lon: float) -> tuple[float, float, float]:
    """(x, y, z) of a latitude/longitude on the unit sphere (as EARTH_POINT computes it)."""
    phi, lam = math.radians(lat), math.radians(lon)
    return math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)


def chord_of_km(km: float) -> float:
    """The straight-line distance through the unit sphere of a great-circle distance."""
    return 2 * math.sin(min(km / EARTH_RADIUS_KM, math.pi) / 2)


def km_of_chord(chord: float) -> float:
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, chord / 2))


def candidates_for(
    *,
    call: Call,
    at: dt.datetime,
    radius_km: float | None = None,
    exclude: list[int] = (),
    agent_id: int | None = None,
    among: Collection[int] | None = None,
    limit: int = 10,
    lock: bool = False,
) -> list[AgentProfile]:
    """Agents who may be offered `call` now, nearest first, then longest idle, then id.

    `radius_km` keeps to the circle of that radius around the caller; `exclude` leaves out
    agents (those who already rang); `agent_id` asks about one agent only; `among` keeps to
    those agents (a tier of the ranking: the scheduled, a franchise's; empty: nobody, no
    query); `lock` locks the
    first row for the caller's transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's
    IMMEDIATE transaction already serialises). The agents come with the fields routing reads
    (id, name, phone, coordinates, idle since), `km` (great-circle distance from the caller,
    None when either has no coordinates) and `engagement_id` (the engagement covering the
    call's line now, under which the call is offered).
    """
    if among is not None and not among:
        return []
    available, params = agents_available_sql(
        domain=call.domain, language=call.language, at=at, sub_skill=call.sub_skill
    )
    engagement, covering_params = engagement_covering_sql(line_id=call.line_id, at=at)
    params |= covering_params | {"limit": limit}
    conditions = []
    lat0, lon0 = call.origin_latitude, call.origin_longitude
    located = lat0 is not None and lon0 is not None
    knn = located and connection.vendor == "postgresql"
    if knn:
        ox, oy, oz = unit_point(lat0, lon0)
        params |= {"ox": ox, "oy": oy, "oz": oz}
        chord = f"({EARTH_POINT} <-> {ORIGIN})"
        # Nearest first down the GiST index; agents without coordinates (NULL) come last.
        order = "chord"
        conditions.append(KNN_INDEX_PREDICATE)
        if not lock:
            params["limit"] = limit + 1  # the one past the cut tells a tie across it
        if radius_km is not None:
            params["chord"] = chord_of_km(radius_km)
            conditions.append(
                f"AND cube_enlarge({ORIGIN}, %(chord)s, 3) @> {EARTH_POINT}"
                f" AND {EARTH_POINT} <-> {ORIGIN} <= %(chord)s"
            )
    else:
        chord, order = "NULL", "p.duty_changed_at, p.id"
        if located and radius_km is not None:
            box = bounding_box(lat0, lon0, radius_km)
            params |= dict(zip(("min_lat", "max_lat", "min_lon", "max_lon"), box, strict=True))
            conditions.append(
                "AND p.latitude BETWEEN %(min_lat)s AND %(max_lat)s"
                " AND p.longitude BETWEEN %(min_lon)s AND %(max_lon)s"
            )
        if located:
            params["limit"] = -1  # SQLite's "no limit": ranked in Python, below
    if exclude:
        names = [f"x{i}" for i in range(len(exclude))]
        params |= dict(zip(names, exclude, strict=True))
        conditions.append(f"AND p.id NOT IN ({', '.join(f'%({n})s' for n in names)})")
    if agent_id is not None:
        params["agent"] = agent_id
        conditions.append("AND p.id = %(agent)s")
    if among is not None:
        # A tier's agents: a handful to a few hundred ids, filtered on the rows the index
        # (or SQLite's scan) yields, nearest first as before.
        names = [f"m{i}" for i in range(len(among))]
        params |= dict(zip(names, sorted(among), strict=True))
        conditions.append(f"AND p.id IN ({', '.join(f'%({n})s' for n in names)})")
    skip_locked = lock and connection.features.has_select_for_update_skip_locked

    def render(*extra: str) -> str:
        sql = RANKED_SQL.format(
            chord=chord,
            engagement=engagement,
            available=available,
            conditions="\n   ".join([*conditions, *extra]),
            order=order,
            lock="FOR UPDATE OF p SKIP LOCKED" if skip_locked else "",
        )
        return KNN_SQL.format(ranked=sql) if knn else sql

    agents = list(AgentProfile.objects.raw(render(), params))
    if knn and not lock and len(agents) > limit:
        if agents[limit].chord == agents[limit - 1].chord:
            # A tie across the cut (agents at exactly the same distance: the same spot):
            # everyone as near as the last, in the full order — a handful of rows, found
            # by the index, no LIMIT (NULL).
            tie = {"tie": agents[limit].chord, "limit": None}
            agents = list(AgentProfile.objects.raw(render(WITHIN_TIE), params | tie))
        agents = agents[:limit]
    for agent in agents:
        agent.km = None
        if agent.chord is not None:
            agent.km = km_of_chord(agent.chord)
        elif located and agent.latitude is not None and agent.longitude is not None:
            agent.km = haversine_km(lat0, lon0, agent.latitude, agent.longitude)
    if located and not knn:
        # SQLite: the exact circle and order (the SQL had the box, unordered by distance).
        if radius_km is not None:
            agents = [a for a in agents if a.km is not None and a.km <= radius_km]
        agents.sort(key=_rank_key)
        agents = agents[:limit]
    return agents


def _rank_key(agent: AgentProfile) -> tuple:
    """Nearest, then longest idle, then id; unknown distance or idle time last (as
    PostgreSQL's ascending ORDER BY puts NULLs)."""
    idle = agent.duty_changed_at
    return (
        agent.km is None,
        agent.km or 0.0,
        idle is None,
        idle.timestamp() if idle else 0.0,
        agent.pk,
    )


def candidate_rows(agents, call: Call, at: dt.datetime) -> list[dict]:
    """What a decision records of each ranked candidate: distance and idle time."""
    rows = []
    for agent in agents:
        km = None
        if None not in (agent.latitude, agent.longitude, call.origin_latitude):
            km = round(
                haversine_km(
                    call.origin_latitude, call.origin_longitude, agent.latitude, agent.longitude
                ),
                1,
            )
        idle = (at - agent.duty_changed_at).total_seconds() if agent.duty_changed_at else None
        rows.append(
            {
                "agent": agent.pk,
                "name": agent.full_name,
                "km": km,
                "idle_s": round(idle) if idle is not None else None,
            }
        )
    return rows


def _engagement_reasons(a: AgentProfile) -> list[str]:
    """Why the agent's engagements with the firm don't cover the call (the first that fails,
    in the order `Engagement.objects.covering` chains its parts)."""
    if not a.on_line:
        return ["not engaged on this line"]
    if not a.started:
        return ["engagement not started"]
    if not a.current:
        return ["engagement ended"]
    if not a.covered:
        return ["outside the engagement's hours"]
    return []


def skipped_for(
    *,
    call: Call,
    at: dt.datetime,
    chosen_ids: set[int],
    limit: int = 20,
    tried: list[int] | None = None,
    agent_id: int | None = None,
):
    """Agents with an active engagement with the firm who were not offered the call, each
    with why (two queries). The rules of time are judged at `at`; `tried`: the agents the
    call had rung out by then (default: by now); `agent_id`: that agent only (the sticky
    rule's last agent)."""
    tried = call.tried_agent_ids if tried is None else tried
    minute = minute_of_week(at)
    today = timezone.localdate(at)
    skills = skills_matching(domain=call.domain, sub_skill=call.sub_skill)
    firm_engagements = Engagement.objects.filter(
        agent=OuterRef("pk"), firm_id=call.firm_id, status=Engagement.Status.ACTIVE
    )
    on_line = firm_engagements.on_line(call.line_id)
    # Take the agents first, annotate them after: with the LIMIT outside, PostgreSQL built
    # hashed subplans over every agent's windows, skills and languages (29 ms at 100k agents
    # against 0.4 ms for 20 index probes; see docs/performance.md).
    engaged = AgentProfile.objects.filter(Exists(firm_engagements))
    if agent_id is not None:
        engaged = engaged.filter(pk=agent_id)
    ids = engaged.exclude(pk__in=chosen_ids).order_by("pk").values_list("pk", flat=True)[:limit]
    agents = (
        AgentProfile.objects.filter(pk__in=list(ids))
        .annotate(
            # The parts of `Engagement.objects.covering`, one more each time: the rule itself,
            # so the reasons can't drift from what the ranking did.
            on_line=Exists(on_line),
            started=Exists(on_line.started_by(at)),
            current=Exists(on_line.started_by(at).not_ended_by(at)),
            covered=Exists(on_line.started_by(at).not_ended_by(at).in_hours(at)),
            speaks=Exists(
                AgentLanguage.objects.filter(agent=OuterRef("pk"), language=call.language)
            ),
            skilled=Exists(skills),
            in_hours=Exists(
                AvailabilityWindow.objects.filter(
                    agent=OuterRef("pk"), utc_start_minute__lte=minute, utc_end_minute__gt=minute
                )
            ),
        )
        .order_by("pk")
    )
    skipped = []
    for a in agents:
        reasons = []
        if a.status != AgentProfile.Status.VERIFIED:
            reasons.append(f"not verified ({a.get_status_display().lower()})")
        if not a.is_compliant_on(today):
            reasons.append("not compliant")
        if a.duty_status != AgentProfile.Duty.AVAILABLE:
            reasons.append(a.get_duty_status_display().lower())
        if not a.speaks:
            reasons.append(f"does not speak {call.language_name}")
        if not a.skilled:
            reasons.append(f"lacks the {call.domain} skill")
        if not a.in_hours:
            reasons.append("outside their availability")
        reasons += _engagement_reasons(a)
        if a.pk in tried:
            reasons.append("did not answer this call")
        skipped.append({"agent": a.pk, "name": a.full_name, "reasons": reasons or ["farther"]})
    return skipped


def older_waiting_calls_tried(*, call: Call, limit: int) -> QuerySet:
    """The callers who have waited longer than `call` for the same firm, skill and language,
    oldest first, up to `limit`: the agents each already rang (who cannot take them)."""
    return (
        Call.objects.filter(
            status=Call.Status.QUEUED,
            firm_id=call.firm_id,
            domain=call.domain,
            sub_skill=call.sub_skill,
            language=call.language,
            queued_at__lt=call.queued_at,
        )
        .exclude(pk=call.pk)
        .order_by("queued_at", "pk")
        .values_list("tried_agent_ids", flat=True)[:limit]
    )


def queue_snapshot(
    *, call: Call, agent_ids: list[int], limit: int
) -> tuple[list[frozenset[int]], set[int]]:
    """The older callers waiting (`older_waiting_calls_tried`, as sets) and which of
    `agent_ids` are still available, read in one statement: at one instant.

    Read one after the other, an older caller placed in between is counted twice (still
    waiting, and its agent taken: a caller waits with an agent free) or not at all (placed,
    and its agent free: a younger caller takes the agent an older one needs). A decision
    still in flight is consistent too: its call still waits and its agent still looks free.
    The tried lists are compared in Python: a JSON "contains" is not portable to SQLite.
    """
    older, older_params = older_waiting_calls_tried(call=call, limit=limit).query.sql_with_params()
    free = AgentProfile.objects.filter(
        pk__in=agent_ids, duty_status=AgentProfile.Duty.AVAILABLE
    ).values_list("pk")
    free_sql, free_params = free.query.sql_with_params()
    sql = (
        f"SELECT NULL AS agent, o.* FROM ({older}) o"  # noqa: S608 (Django-compiled SQL)
        f" UNION ALL SELECT f.*, NULL FROM ({free_sql}) f"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*older_params, *free_params])
        rows = cursor.fetchall()
    tried = [json.loads(t) if isinstance(t, str) else t for agent, t in rows if agent is None]
    return [frozenset(t) for t in tried], {agent for agent, _ in rows if agent is not None}


def waiting_calls_for(*, agent: AgentProfile, at: dt.datetime) -> QuerySet[Call]:
    """Queued calls this agent could serve, longest-waiting first.

    Coarse (firm, language, domain): the caller checks the agent exactly, tried agents
    included (a JSON "contains" lookup is not portable to SQLite).
    """
    today = timezone.localdate(at)
    firms = Engagement.objects.filter(
        agent=agent, status=Engagement.Status.ACTIVE, starts_on__lte=today, ends_on__gte=today
    ).values("firm")
    skills = AgentSkill.objects.filter(agent=agent)
    return (
        Call.objects.filter(status=Call.Status.QUEUED, firm__in=firms)
        .filter(language__in=AgentLanguage.objects.filter(agent=agent).values("language"))
        .filter(domain__in=skills.values("domain"))
        .order_by("queued_at", "pk")
    )


# --- Pages ------------------------------------------------------------------------------


def agent_figures_named(figures: analytics.Figures, *, firm: ClientFirm) -> list[dict]:
    """The firm's agents over the period (`analytics.per_agent`): those who were offered or
    listed for its calls, and those engaged with it (zeros), each with their name and their
    share of the firm's answered calls; busiest first. The firm's own calls only."""
    rows = {row["agent_id"]: row for row in analytics.per_agent(figures)}
    engaged = Engagement.objects.filter(firm=firm, status=Engagement.Status.ACTIVE)
    zero = dict.fromkeys(analytics.AGENT_FIGURES, 0) | {"missed": 0, "handle_seconds": None}
    for agent_id in engaged.values_list("agent_id", flat=True):
        rows.setdefault(agent_id, {"agent_id": agent_id} | zero)
    names = dict(AgentProfile.objects.filter(pk__in=list(rows)).values_list("pk", "full_name"))
    named = [row | {"name": names.get(row["agent_id"], "—")} for row in rows.values()]
    named = analytics.shares([row | {"firm_id": firm.pk} for row in named])
    return sorted(named, key=lambda r: (-r["answered"], -r["offered"], r["name"], r["agent_id"]))


def agent_figures_across_firms(figures: analytics.Figures) -> list[dict]:
    """Staff: per agent and firm over the period, with names, busiest first."""
    rows = analytics.shares(analytics.per_agent(figures, keys=("agent_id", "firm_id")))
    names = dict(
        AgentProfile.objects.filter(pk__in={r["agent_id"] for r in rows}).values_list(
            "pk", "full_name"
        )
    )
    firms = dict(
        ClientFirm.objects.filter(pk__in={r["firm_id"] for r in rows}).values_list("pk", "name")
    )
    named = [
        row | {"name": names.get(row["agent_id"], "—"), "firm": firms.get(row["firm_id"], "—")}
        for row in rows
    ]
    return sorted(named, key=lambda r: (r["name"], r["agent_id"], r["firm"]))


def fairness_named(figures: analytics.Figures) -> list[dict]:
    """Staff: `analytics.fairness` per line, with the lines' firms and the agents' names."""
    lines = analytics.fairness(figures)
    names = dict(
        AgentProfile.objects.filter(
            pk__in={a["agent_id"] for line in lines for a in line["agents"]}
        ).values_list("pk", "full_name")
    )
    known = {
        line.pk: line
        for line in PhoneLine.objects.filter(pk__in=[x["line_id"] for x in lines]).select_related(
            "firm"
        )
    }
    return [
        line
        | {
            "line": known.get(line["line_id"]),
            "agents": [a | {"name": names.get(a["agent_id"], "—")} for a in line["agents"]],
        }
        for line in lines
    ]


def calls_of(*, firm: ClientFirm) -> QuerySet[Call]:
    """The firm's inbound calls (its outbound attempts are on its campaigns' pages)."""
    return Call.objects.filter(firm=firm, direction=Call.Direction.INBOUND).select_related(
        "line", "agent"
    )


def service_level(calls: QuerySet[Call], *, target_seconds: int) -> dict:
    """Answered within target, abandoned and average speed of answer over `calls`.

    Waits are measured from the call's place in the queue (`queued_at`: after the language
    menu) to the agent's answer — the order the Call's constraints keep, so never negative;
    calls outside business hours don't count.
    """
    counted = calls.exclude(status=Call.Status.AFTER_HOURS)
    waits = [
        (answered - queued).total_seconds()
        for answered, queued in counted.filter(
            answered_at__isnull=False, queued_at__isnull=False
        ).values_list("answered_at", "queued_at")
    ]
    total = counted.count()
    within = sum(1 for w in waits if w <= target_seconds)
    return {
        "total": total,
        "answered": len(waits),
        "within_target": within,
        "abandoned": counted.filter(status=Call.Status.ABANDONED).count(),
        "service_level": (within / total) if total else None,
        "asa_seconds": (sum(waits) / len(waits)) if waits else None,
    }


def calls_by_day(calls: QuerySet[Call]) -> list[dict]:
    """Per local day, from the calls themselves (what routing.analytics.per_day equals)."""
    return list(
        calls.annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(
            total=Count("id"),
            answered=Count("id", filter=Q(answered_at__isnull=False)),
            abandoned=Count("id", filter=Q(status=Call.Status.ABANDONED)),
            talk=Avg("talk_seconds"),
        )
        .order_by("day")
    )


def agent_current_call(*, agent: AgentProfile) -> Call | None:
    return (
        Call.objects.filter(agent=agent, status__in=Call.LIVE)
        .select_related("line", "firm")
        .first()
    )


def agent_calls_today(*, agent: AgentProfile) -> QuerySet[Call]:
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return (
        Call.objects.filter(agent=agent, created_at__gte=start)
        .select_related("firm", "line", "disposition")
        .order_by("-created_at")
    )


def provider_request_get(*, provider: str, key: str) -> ProviderRequest | None:
    """The answer already given to this provider request, if any (a retry gets it again)."""
    return ProviderRequest.objects.filter(provider=provider, key=key).first()


LIVE_OR_WAITING = ["menu", "queued", "offered", "in_progress"]
assert set(LIVE_OR_WAITING) == Call.WAITING | Call.LIVE


def console_snapshot(*, live_limit: int = 50, decisions_limit: int = 20, review_limit: int = 20):
    """The staff routing console: verified agents by duty, live calls, the latest decisions,
    and the calls closed without the provider's word (`lost`), for staff to check."""
    counts = dict.fromkeys(AgentProfile.Duty.values, 0)
    verified = AgentProfile.objects.filter(status=AgentProfile.Status.VERIFIED).order_by()
    # COUNT(*), not COUNT(id): an index-only scan of the verified agents' duty index, where
    # counting the id read every agent's row (80 -> 43 ms at 100k agents, EXPLAIN ANALYZE).
    for status, n in verified.values_list("duty_status").annotate(n=Count("*")):
        counts[status] = n
    live = (
        # The same list as the partial index routing_call_live_idx, so PostgreSQL reads the
        # handful of live calls from it (not every call of the day, or ever).
        Call.objects.filter(status__in=LIVE_OR_WAITING)
        .select_related("line", "firm", "agent")
        .order_by("created_at")[:live_limit]
    )
    decisions = RoutingDecision.objects.select_related("call__firm", "chosen").order_by("-id")
    review = (
        Call.objects.filter(needs_review=True)
        .select_related("line", "firm", "agent")
        .order_by("-ended_at", "-id")[:review_limit]
    )
    return {
        "duty": [(AgentProfile.Duty(k).label, v) for k, v in counts.items()],
        "live": live,
        "decisions": decisions[:decisions_limit],
        "review": review,
    }


def caller_history(*, call: Call, days: int = 90) -> dict:
    """The caller's earlier calls to this line within `days` (the returning-caller hint, and
    the sticky rule's last agent): how many, the latest, and the agent who last served them
    (the latest answered call's). One query on (line, caller, created_at)."""
    if not call.caller:
        return {"count": 0, "last_at": None, "last_agent_id": None}
    since = (call.created_at or timezone.now()) - dt.timedelta(days=days)
    earlier = Call.objects.filter(
        line_id=call.line_id, caller=call.caller, created_at__gte=since
    ).exclude(pk=call.pk)
    rows = list(
        earlier.order_by("-created_at").values("created_at", "agent_id", "answered_at")[:50]
    )
    served = next((r for r in rows if r["answered_at"] and r["agent_id"]), None)
    return {
        "count": len(rows),
        "last_at": rows[0]["created_at"] if rows else None,
        "last_agent_id": served["agent_id"] if served else None,
        "last_served_at": served["created_at"] if served else None,
    }


# --- Quality and the callback queue (issue 16) ---------------------------------------------

NO_QUALITY = {"quality": None, "scored": 0, "survey": None, "surveyed": 0}


def with_quality(
    rows: list[dict], *, period: analytics.Period, firm: ClientFirm | None = None
) -> list[dict]:
    """Agents' figure rows (`agent_figures_named`, or `agent_figures_across_firms` with
    firm=None: per agent and firm) with their quality and survey means of the period."""
    keys = ("agent_id",) if firm is not None else ("agent_id", "firm_id")
    found = analytics.quality_per_agent(period=period, firm=firm, keys=keys)
    return [row | found.get(tuple(row[k] for k in keys), NO_QUALITY) for row in rows]


def call_scores_of(*, call: Call) -> QuerySet[CallScore]:
    """A call's scores, with their items and who scored (firm people or agency staff)."""
    return (
        CallScore.objects.filter(call=call)
        .select_related("scorecard", "scorer")
        .prefetch_related("items")
        .order_by("created_at", "pk")
    )


def scores_of_agent(*, agent: AgentProfile) -> QuerySet[CallScore]:
    """The agent's own scores, newest first, with the firm, the line and the items."""
    return (
        CallScore.objects.filter(agent=agent)
        .select_related("firm", "scorecard", "call__line")
        .prefetch_related("items")
        .order_by("-created_at", "-pk")
    )


def callbacks_of(
    *, firm: ClientFirm | None, statuses: list[str] | None = None
) -> QuerySet[CallbackRequest]:
    """The callback queue, oldest first: the firm's (firm=None: every firm's, for staff),
    in `statuses` (None or empty: all)."""
    found = CallbackRequest.objects.select_related("call", "line", "firm", "assigned_agent")
    if firm is not None:
        found = found.filter(firm=firm)
    if statuses:
        found = found.filter(status__in=statuses)
    return found.order_by("created_at", "pk")


def call_records_of(*, firm: ClientFirm) -> QuerySet[Call]:
    """The firm's inbound calls as its records show them (API and CSV), joined."""
    return Call.objects.filter(firm=firm, direction=Call.Direction.INBOUND).select_related(
        "line", "agent", "disposition", "transfer_line", "firm"
    )


# A live call or a pending wrap-up is never older than this (the sweep's talk bound is 4 h,
# a wrap-up at most minutes): the workspace's poll reads only the agent's latest calls.
WORKSPACE_WINDOW = dt.timedelta(days=1)


def workspace_calls(*, agent: AgentProfile, at: dt.datetime | None = None) -> QuerySet[Call]:
    """The agent's call on their workspace: the one they hold (ringing or talking) or whose
    wrap-up is pending. Newest first on the (agent, created_at) index, a day back at most."""
    since = (at or timezone.now()) - WORKSPACE_WINDOW
    return (
        Call.objects.filter(agent=agent, created_at__gte=since)
        .filter(Q(status__in=Call.LIVE) | Q(wrap_up=Call.WrapUp.PENDING))
        .order_by("-created_at", "-pk")
    )


def workspace_key(*, agent: AgentProfile, at: dt.datetime | None = None) -> str:
    """What the workspace shows, as a short key: the call, its status and its wrap-up state
    ("idle" without one). The page carries the key it shows; the poll answers 204 while the
    key is the same. One query."""
    rows = list(workspace_calls(agent=agent, at=at).values_list("pk", "status", "wrap_up")[:2])
    return workspace_key_of(*workspace_pick(rows, status=lambda r: r[1])) if rows else "idle"


def workspace_pick(rows: list, *, status=lambda call: call.status):
    """Of the agent's (at most two) workspace calls, the one to show: a call they hold comes
    before a wrap-up left pending (they went offline in wrap-up, and came back to a call)."""
    return min(rows, key=lambda row: status(row) not in Call.LIVE)


def workspace_key_of(pk: int, status: str, wrap_up: str) -> str:
    return f"{pk}-{status}-{wrap_up or 'none'}"


def wrap_up_codes(*, agent: AgentProfile, call_id: int) -> list:
    """The active disposition codes of the line of the agent's call `call_id` (none for
    another agent's call)."""
    return list(
        DispositionCode.objects.filter(
            line__calls__pk=call_id, line__calls__agent=agent, is_active=True
        )
    )


def agent_call_get(*, agent: AgentProfile, call_id: int) -> Call | None:
    return Call.objects.filter(pk=call_id, agent=agent).select_related("line").first()
