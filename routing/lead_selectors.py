"""Reads of a team lead's pages (issue 19): their own franchise's agents and calls only.

Every read takes the franchise (the lead's, `teams.selectors.franchise_led_by`): an agent or
a call of another team is simply not found (the page answers 404). The figures are routing's
own (`routing.analytics`: the roll-ups' rules, `per_agent`, `quality_per_agent`), kept to
the team's agents.
"""

from django.db.models import QuerySet
from django.utils import timezone

from agents.models import AgentProfile
from clients.models import PhoneLine
from routing import analytics
from routing.models import Call, CoachingNote
from routing.selectors import NO_QUALITY
from teams.models import Franchise
from teams.selectors import franchise_members

Duty = AgentProfile.Duty
TEAM_CALLS = 50


def team_agent_get(*, franchise: Franchise, agent_id: int) -> AgentProfile | None:
    return franchise_members(franchise=franchise).filter(pk=agent_id).first()


def team_calls(*, franchise: Franchise) -> QuerySet[Call]:
    """Inbound calls held by the team's agents, newest first."""
    return (
        Call.objects.filter(
            direction=Call.Direction.INBOUND, agent__franchise_seat__franchise=franchise
        )
        .select_related("agent", "line", "firm")
        .order_by("-created_at", "-pk")
    )


def team_call_get(*, franchise: Franchise, call_id: int) -> Call | None:
    return team_calls(franchise=franchise).filter(pk=call_id).first()


def coaching_notes_of(*, call: Call) -> QuerySet[CoachingNote]:
    return CoachingNote.objects.filter(call=call).select_related("author")


def coaching_notes_for_agent(*, agent: AgentProfile, limit: int = 50) -> QuerySet[CoachingNote]:
    """The notes on an agent's own calls, newest first (their call-quality page)."""
    return (
        CoachingNote.objects.filter(call__agent=agent)
        .select_related("author", "call__line")
        .order_by("-created_at", "-pk")[:limit]
    )


def _per_agent(figures: analytics.Figures, ids: set[int]) -> dict[int, dict]:
    return {row["agent_id"]: row for row in analytics.per_agent(figures) if row["agent_id"] in ids}


def team_live(*, franchise: Franchise) -> dict:
    """Who is on duty, on a call, in wrap-up, and each agent's missed calls today (offers
    not answered: `analytics.per_agent`), with the call each one holds now. Four queries."""
    agents = list(franchise_members(franchise=franchise))
    ids = {a.pk for a in agents}
    today = timezone.localdate()
    missed = _per_agent(analytics.figures_for(period=analytics.Period(today, today)), ids)
    live = {
        call.agent_id: call
        for call in Call.objects.filter(agent_id__in=ids, status__in=Call.LIVE).select_related(
            "line"
        )
    }
    rows = [
        {
            "agent": a,
            "call": live.get(a.pk),
            "missed": missed.get(a.pk, {}).get("missed", 0),
            "answered": missed.get(a.pk, {}).get("answered", 0),
        }
        for a in agents
    ]
    count = lambda *states: sum(1 for a in agents if a.duty_status in states)  # noqa: E731
    return {
        "rows": rows,
        "on_duty": sum(1 for a in agents if a.duty_status != Duty.OFFLINE),
        "on_call": count(Duty.RESERVED, Duty.ON_CALL),
        "wrap_up": count(Duty.WRAP_UP),
        "available": count(Duty.AVAILABLE),
        "missed": sum(r["missed"] for r in rows),
    }


def team_figures(*, franchise: Franchise, period: analytics.Period) -> dict:
    """The team over the period: per agent (offered, answered, missed, handle time, quality
    and survey means), and the team's totals — its service level over the calls its agents
    held, each against its own line's target (`analytics.line_day_rows`, the roll-up's rule)."""
    agents = list(franchise_members(franchise=franchise))
    ids = {a.pk for a in agents}
    per_agent = _per_agent(analytics.figures_for(period=period), ids)
    quality = analytics.quality_per_agent(period=period)
    zero = dict.fromkeys(analytics.AGENT_FIGURES, 0) | {"missed": 0, "handle_seconds": None}
    rows = [
        {"agent": a} | per_agent.get(a.pk, zero) | quality.get((a.pk,), NO_QUALITY) for a in agents
    ]
    start, end = analytics.day_bounds(period.first)[0], analytics.day_bounds(period.last)[1]
    calls = Call.objects.filter(
        direction=Call.Direction.INBOUND,
        agent_id__in=ids,
        created_at__gte=start,
        created_at__lt=end,
    )
    targets = dict(
        PhoneLine.objects.filter(pk__in=calls.values("line_id")).values_list(
            "pk", "service_level_target_seconds"
        )
    )
    totals = analytics.total(analytics.line_day_rows(calls, targets=targets))
    talked = sum(r["talked"] for r in rows)
    scored = [(r["quality"], r["scored"]) for r in rows if r["scored"]]
    surveyed = [(r["survey"], r["surveyed"]) for r in rows if r["surveyed"]]
    return {
        "rows": rows,
        "calls": totals["calls"],
        "answered": totals["answered"],
        "service_level": totals["service_level"],
        "handle_seconds": (sum(r["talk_seconds_sum"] for r in rows) / talked) if talked else None,
        "missed": sum(r["missed"] for r in rows),
        "quality": _weighted(scored),
        "survey": _weighted(surveyed),
    }


def _weighted(pairs: list[tuple[float, int]]) -> float | None:
    """The mean of per-agent means, weighted by how many each had (the team's own mean)."""
    count = sum(n for _, n in pairs)
    return (sum(float(mean) * n for mean, n in pairs) / count) if count else None
