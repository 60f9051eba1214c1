"""Adherence: how much of the time an agent booked they actually spent on duty.

Definitions (one agent, one interval [start, end)):

- booked minutes: the minutes of the agent's live (BOOKED) slots that start in the interval
  and have already ended by `now` (a half-hour still to come or under way is not judged yet);
- on-duty minutes: the part of those booked minutes covered by the agent's duty spells
  (agents.DutySpell: any duty state but offline — available, offered a call, on a call,
  in wrap-up);
- late releases: the agent's bookings in slots starting in the interval that they released
  inside 48 hours of the slot's start (`Booking.late_release`); each counts as one booked
  half-hour (30 minutes) with no minute on duty;
- adherence (percent) = 100 * on-duty minutes / (booked minutes + 30 * late releases),
  rounded to a whole number; None when the denominator is 0 (nothing booked to judge).
- a no-show: a booked slot, started at least `TEAMS_NO_SHOW_MINUTES` ago, with no duty at all
  in its first `TEAMS_NO_SHOW_MINUTES` minutes.

The "on calls" share of booked time needs routing's calls, an app above this one: the lead's
page (which may import routing) shows it next to these figures.

The rating that orders the booking rounds is the agent's adherence over the four weeks before
(`agent_rating`). The issue asks for quality plus adherence, but the quality scores
(routing's CallScore) live above teams, which may not import them; adherence is ours, and an
agent without booking history has no rating and books in round two with everyone.
"""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.utils import timezone

from agents.models import AgentProfile
from teams.models import SLOT, SLOT_MINUTES, Booking, Franchise
from teams.selectors import (
    duty_spells,
    franchise_members,
    minutes_on_duty,
    week_bounds,
    week_start_of,
)

RATING_WEEKS = 4


def no_show_minutes() -> int:
    return settings.TEAMS_NO_SHOW_MINUTES


def adherence_figures(
    *, agent_ids, bounds: dict[int, tuple], now: dt.datetime | None = None
) -> dict[int, dict]:
    """Each agent's figures over their own interval `bounds[agent_id]` = (start, end)."""
    now = now or timezone.now()
    if not bounds:
        return {}
    lo = min(start for start, _ in bounds.values())
    hi = max(end for _, end in bounds.values())
    spells = duty_spells(agent_ids=agent_ids, start=lo, end=hi + SLOT, now=now)
    grace = dt.timedelta(minutes=no_show_minutes())
    figures = {
        a: {"booked": 0.0, "on_duty": 0.0, "late": 0, "no_shows": 0, "percent": None}
        for a in agent_ids
    }
    bookings = Booking.objects.filter(
        agent_id__in=agent_ids, slot__starts_at__gte=lo, slot__starts_at__lt=hi
    ).filter(status__in=[Booking.Status.BOOKED, Booking.Status.RELEASED])
    for agent_id, status, late, starts in bookings.values_list(
        "agent_id", "status", "late_release", "slot__starts_at"
    ):
        start, end = bounds[agent_id]
        if not start <= starts < end:
            continue
        row = figures[agent_id]
        if status == Booking.Status.RELEASED:
            row["late"] += 1 if late else 0
            continue
        if starts + SLOT > now:
            continue  # not over yet: not judged
        row["booked"] += SLOT_MINUTES
        row["on_duty"] += minutes_on_duty(starts, starts + SLOT, spells[agent_id])
        if not minutes_on_duty(starts, starts + grace, spells[agent_id]):
            row["no_shows"] += 1
    for row in figures.values():
        judged = row["booked"] + SLOT_MINUTES * row["late"]
        row["percent"] = round(100 * row["on_duty"] / judged) if judged else None
        row["booked"], row["on_duty"] = round(row["booked"]), round(row["on_duty"])
    return figures


def agent_week_bounds(agent: AgentProfile, week_start: dt.date) -> tuple:
    return week_bounds(week_start=week_start, zone=agent.time_zone)


def agent_adherence(
    *, agent: AgentProfile, week_start: dt.date, now: dt.datetime | None = None
) -> dict:
    """The agent's figures for the week from Monday `week_start` in their own time zone."""
    bounds = {agent.pk: agent_week_bounds(agent, week_start)}
    return adherence_figures(agent_ids=[agent.pk], bounds=bounds, now=now)[agent.pk]


def agent_rating(*, agent: AgentProfile, now: dt.datetime | None = None) -> int | None:
    """Adherence over the RATING_WEEKS weeks before now (None: nothing booked then)."""
    now = now or timezone.now()
    bounds = {agent.pk: (now - dt.timedelta(weeks=RATING_WEEKS), now)}
    return adherence_figures(agent_ids=[agent.pk], bounds=bounds, now=now)[agent.pk]["percent"]


def team_adherence(
    *, franchise: Franchise, week_start: dt.date, now: dt.datetime | None = None
) -> list[dict]:
    """One row per agent of the franchise, by name: the agent and their week's figures
    (`booked`, `on_duty` minutes, `late` releases, `no_shows`, `percent`), the week read in
    each agent's own time zone. Three queries whatever the team's size."""
    agents = list(franchise_members(franchise=franchise))
    bounds = {a.pk: agent_week_bounds(a, week_start) for a in agents}
    figures = adherence_figures(agent_ids=list(bounds), bounds=bounds, now=now)
    return [{"agent": a, **figures[a.pk]} for a in agents]


def local_week_start(agent: AgentProfile, now: dt.datetime | None = None) -> dt.date:
    zone = zoneinfo.ZoneInfo(agent.time_zone)
    return week_start_of((now or timezone.now()).astimezone(zone).date())
