"""Reads of teams and schedules that routing and pages share."""

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from agents.models import AgentProfile, DutySpell
from clients.models import Engagement, StaffingRequest
from common.geo import haversine_km
from teams.models import (
    SLOT,
    Booking,
    Franchise,
    FranchiseMember,
    RequestDemand,
    Slot,
    half_hour_label,
)


def slot_start(at: dt.datetime) -> dt.datetime:
    """The start of the half-hour holding `at` (UTC, on :00 or :30)."""
    at = at.astimezone(dt.UTC)
    return at.replace(minute=at.minute - at.minute % 30, second=0, microsecond=0)


def scheduled_agent_ids(*, line_id: int, at: dt.datetime) -> QuerySet:
    """Agents with a live booking, at `at`, in a slot of a request that covers the line."""
    start = slot_start(at)
    return (
        Booking.objects.filter(
            status=Booking.Status.BOOKED,
            slot__starts_at__gt=start - SLOT,
            slot__starts_at__lte=start,
            slot__request__lines=line_id,
        )
        .values_list("agent_id", flat=True)
        .distinct()
    )


def franchise_led_by(user) -> Franchise | None:
    """The franchise `user` leads, or None."""
    return Franchise.objects.filter(lead=user).first()


@dataclass(frozen=True)
class FranchiseSeats:
    """A franchise with its agents' ids and its distance from a point (None: unknown)."""

    franchise: Franchise
    agent_ids: frozenset[int]
    km: float | None


def franchises_nearest(*, latitude: float | None, longitude: float | None) -> list[FranchiseSeats]:
    """Every franchise with agents, nearest city first (by name when the point is unknown),
    with its agents' ids: one query. A handful of franchises: measured in Python."""
    seats: dict[int, tuple[Franchise, set[int]]] = {}
    for member in FranchiseMember.objects.select_related("franchise").order_by("pk"):
        seats.setdefault(member.franchise_id, (member.franchise, set()))[1].add(member.agent_id)
    found = []
    for franchise, ids in seats.values():
        km = None
        if latitude is not None and longitude is not None:
            km = haversine_km(latitude, longitude, franchise.latitude, franchise.longitude)
        found.append(FranchiseSeats(franchise, frozenset(ids), km))
    found.sort(key=lambda s: (s.km is None, s.km or 0.0, s.franchise.name, s.franchise.pk))
    return found


def franchise_list() -> QuerySet:
    """The agency's franchises with their lead and how many agents each has."""
    return Franchise.objects.select_related("lead").annotate(agents=Count("members"))


def franchise_members(*, franchise: Franchise) -> QuerySet:
    """A franchise's agents, by name, with their user (the lead's and the staff's pages)."""
    return (
        AgentProfile.objects.filter(franchise_seat__franchise=franchise)
        .select_related("user")
        .order_by("full_name", "pk")
    )


def week_start_of(day: dt.date) -> dt.date:
    """The Monday of `day`'s week."""
    return day - dt.timedelta(days=day.weekday())


def week_bounds(*, week_start: dt.date, zone: str) -> tuple[dt.datetime, dt.datetime]:
    """Monday 00:00 to the next Monday 00:00 in `zone`, as UTC instants (a DST week has
    167 or 169 hours)."""
    tz = zoneinfo.ZoneInfo(zone)
    start = dt.datetime.combine(week_start, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(week_start + dt.timedelta(days=7), dt.time(0), tzinfo=tz)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def demand_of(*, request: StaffingRequest) -> dict[tuple[int, int], Decimal]:
    """The request's demand {(weekday, half_hour): calls per hour}; empty: the flat rate."""
    rows = RequestDemand.objects.filter(request=request)
    return {(r.weekday, r.half_hour): r.calls_per_hour for r in rows}


def engagement_on(*, agent: AgentProfile, request_id: int, at: dt.datetime) -> Engagement | None:
    """The agent's active engagement on the request whose dates hold `at` (the request's
    local day: `EngagementQuerySet.started_by` / `not_ended_by`, as routing reads them)."""
    return (
        Engagement.objects.filter(
            agent=agent, request_id=request_id, status=Engagement.Status.ACTIVE
        )
        .started_by(at)
        .not_ended_by(at)
        .first()
    )


def live_bookings(slot_ids) -> dict[int, int]:
    """{slot id: live bookings}."""
    rows = (
        Booking.objects.filter(slot_id__in=slot_ids, status=Booking.Status.BOOKED)
        .values("slot_id")
        .annotate(n=Count("pk"))
    )
    return {row["slot_id"]: row["n"] for row in rows}


def slots_of_week(*, request: StaffingRequest, week_start: dt.date) -> QuerySet:
    start, end = week_bounds(week_start=week_start, zone=request.time_zone)
    return Slot.objects.filter(request=request, starts_at__gte=start, starts_at__lt=end)


def requests_scheduled_for(*, firm) -> QuerySet:
    """The firm's requests, newest first, for the schedule pages' links."""
    return StaffingRequest.objects.filter(firm=firm).order_by("-created_at")


def duty_spells(*, agent_ids, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> dict:
    """{agent id: [(started, ended)]}: the agents' duty spells overlapping [start, end), an
    open one ending `now`."""
    found: dict[int, list] = defaultdict(list)
    rows = DutySpell.objects.filter(agent_id__in=agent_ids, started_at__lt=end).exclude(
        ended_at__lt=start
    )
    for agent_id, started, ended in rows.values_list("agent_id", "started_at", "ended_at"):
        found[agent_id].append((started, ended or now))
    return found


def minutes_on_duty(start: dt.datetime, end: dt.datetime, spells: list[tuple]) -> float:
    """Minutes of [start, end) covered by the (started, ended) spells."""
    total = 0.0
    for started, ended in spells:
        lo, hi = max(start, started), min(end, ended)
        if hi > lo:
            total += (hi - lo).total_seconds() / 60
    return total


def agent_week(*, agent: AgentProfile, week_start: dt.date, now: dt.datetime) -> dict:
    """The agent's week grid, in their own time zone: `days` (7 dates) and `rows`, one per
    half-hour that has a slot to show, each with 7 cells of entries. An entry is a slot of a
    request the agent is actively engaged on (or holds a booking in): its places left, the
    agent's own live booking, and a swap offered to them."""
    zone = zoneinfo.ZoneInfo(agent.time_zone)
    start, end = week_bounds(week_start=week_start, zone=agent.time_zone)
    engaged = Engagement.objects.filter(agent=agent, status=Engagement.Status.ACTIVE)
    request_ids = set(engaged.values_list("request_id", flat=True))
    slots = list(
        Slot.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .filter(Q(request_id__in=request_ids) | Q(bookings__agent=agent))
        .select_related("request")
        .distinct()
        .order_by("starts_at", "pk")
    )
    ids = [s.pk for s in slots]
    live = live_bookings(ids)
    mine = {
        b.slot_id: b
        for b in Booking.objects.filter(
            slot_id__in=ids, agent=agent, status=Booking.Status.BOOKED
        ).select_related("offered_to")
    }
    offers = {
        b.slot_id: b
        for b in Booking.objects.filter(
            slot_id__in=ids, offered_to=agent, status=Booking.Status.BOOKED
        ).select_related("agent")
    }
    spells = duty_spells(agent_ids=[agent.pk], start=start, end=end, now=now)[agent.pk]
    days = [week_start + dt.timedelta(days=n) for n in range(7)]
    cells: dict[int, list[list]] = {}
    for slot in slots:
        local = slot.starts_at.astimezone(zone)
        index = local.hour * 2 + local.minute // 30
        column = (local.date() - week_start).days
        if not 0 <= column < 7:
            continue
        cells.setdefault(index, [[] for _ in days])[column].append(
            {
                "slot": slot,
                "left": max(slot.needed - live.get(slot.pk, 0), 0),
                "booked": live.get(slot.pk, 0),
                "mine": mine.get(slot.pk),
                "offer": offers.get(slot.pk),
                "past": slot.starts_at <= now,
                # Adherence in this interval: minutes of it on duty (a booked, begun slot).
                "on_duty": round(minutes_on_duty(slot.starts_at, min(slot.ends_at, now), spells))
                if slot.pk in mine and slot.starts_at <= now
                else None,
            }
        )
    rows = [{"label": half_hour_label(i), "cells": cells[i]} for i in sorted(cells)]
    titled = len({s.request_id for s in slots}) > 1  # one request: its title is the heading
    return {
        "days": days,
        "rows": rows,
        "booked": len(mine),
        "offers": len(offers),
        "titled": titled,
        "request": slots[0].request if slots and not titled else None,
    }


def swap_partners(*, agent: AgentProfile) -> dict[int, list[AgentProfile]]:
    """{request id: the other agents actively engaged on it}, for the swap forms."""
    request_ids = Engagement.objects.filter(
        agent=agent, status=Engagement.Status.ACTIVE
    ).values_list("request_id", flat=True)
    found: dict[int, list[AgentProfile]] = {}
    others = (
        Engagement.objects.filter(request_id__in=request_ids, status=Engagement.Status.ACTIVE)
        .exclude(agent=agent)
        .select_related("agent")
        .order_by("agent__full_name", "agent_id")
    )
    for engagement in others:
        found.setdefault(engagement.request_id, []).append(engagement.agent)
    return found


def _coverage_level(booked: int, needed: int) -> str:
    if not needed:
        return "none"
    if booked > needed:
        return "over"
    if booked == needed:
        return "full"
    return "part" if booked * 2 >= needed else "short"


def coverage(*, request: StaffingRequest, week_start: dt.date, now: dt.datetime) -> dict:
    """The request's week as a heat map, in its time zone: per half-hour with a slot,
    needed, booked (live bookings) and on duty (booked agents with a duty spell overlapping
    the half-hour — so far, for the half-hour under way), with a colour level:
    `none` (nothing needed), `short` (under half booked), `part`, `full`, `over`."""
    zone = zoneinfo.ZoneInfo(request.time_zone)
    slots = list(slots_of_week(request=request, week_start=week_start).order_by("starts_at"))
    ids = [s.pk for s in slots]
    bookings = list(
        Booking.objects.filter(slot_id__in=ids, status=Booking.Status.BOOKED).values_list(
            "slot_id", "agent_id"
        )
    )
    booked: dict[int, set] = {}
    for slot_id, agent_id in bookings:
        booked.setdefault(slot_id, set()).add(agent_id)
    agents = {a for _, a in bookings}
    spells: dict[int, list] = {}
    if slots and agents:
        spells = duty_spells(
            agent_ids=agents, start=slots[0].starts_at, end=slots[-1].ends_at, now=now
        )
    days = [week_start + dt.timedelta(days=n) for n in range(7)]
    cells: dict[int, list] = {}
    for slot in slots:
        local = slot.starts_at.astimezone(zone)
        index, column = local.hour * 2 + local.minute // 30, (local.date() - week_start).days
        if not 0 <= column < 7:
            continue
        who = booked.get(slot.pk, set())
        on_duty = None
        if slot.starts_at <= now:
            on_duty = sum(
                1
                for agent_id in who
                if minutes_on_duty(slot.starts_at, slot.ends_at, spells.get(agent_id, []))
            )
        count = len(who)
        cells.setdefault(index, [None] * 7)[column] = {
            "slot": slot,
            "needed": slot.needed,
            "booked": count,
            "on_duty": on_duty,
            "level": _coverage_level(count, slot.needed),
        }
    rows = [{"label": half_hour_label(i), "cells": cells[i]} for i in sorted(cells)]
    return {
        "days": days,
        "rows": rows,
        "needed": sum(s.needed for s in slots),
        "booked": len(bookings),
    }
