"""The schedules demo: a booked week for the engaged agents of one demo request, so the
firm's coverage heat map and the agents' week grids have something to show.

Demand follows a day's curve small enough for the demo's few agents (some half-hours full,
some short); bookings are written directly (the rules' own tests are in tests/teams), and
the half-hours already over get duty spells for all but an occasional no-show.
"""

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from agents.models import DutySpell
from clients.models import Engagement, StaffingRequest
from teams.models import SLOT, Booking, RequestDemand, Slot
from teams.selectors import week_start_of
from teams.slots import slots_open_ahead

# Calls per hour by hour of the day (local), Monday to Saturday: a morning and an evening peak.
CURVE = {9: 2, 10: 4, 11: 8, 12: 4, 13: 2, 14: 2, 15: 4, 16: 8, 17: 4, 18: 2, 19: 2}


def _demo_request() -> StaffingRequest | None:
    active = Count("engagements", filter=Q(engagements__status=Engagement.Status.ACTIVE))
    return (
        StaffingRequest.objects.annotate(engaged=active)
        .filter(engaged__gt=0)
        .order_by("-engaged", "pk")
        .first()
    )


def _demand(request: StaffingRequest) -> None:
    if RequestDemand.objects.filter(request=request).exists():
        return  # a firm's own edits survive a second seed
    rows = [
        RequestDemand(
            request=request, weekday=day, half_hour=hour * 2 + half, calls_per_hour=Decimal(calls)
        )
        for day in range(7)
        for hour, calls in CURVE.items()
        for half in (0, 1)
    ]
    RequestDemand.objects.bulk_create(rows)


def seed_demo() -> list[tuple[str, str]]:
    request = _demo_request()
    if request is None:
        return []
    _demand(request)
    # Every open request's weeks, as the hourly beat task would (no beat in `make run`).
    slots_open_ahead(weeks=settings.TEAMS_WEEKS_AHEAD)
    now = timezone.now()
    monday = week_start_of(now.astimezone(zoneinfo.ZoneInfo(request.time_zone)).date())
    agents = [
        e.agent
        for e in Engagement.objects.filter(request=request, status=Engagement.Status.ACTIVE)
        .select_related("agent")
        .order_by("agent_id")
    ]
    week_end = monday + dt.timedelta(days=7)
    zone = zoneinfo.ZoneInfo(request.time_zone)
    slots = Slot.objects.filter(
        request=request,
        starts_at__gte=dt.datetime.combine(monday, dt.time(0), tzinfo=zone),
        starts_at__lt=dt.datetime.combine(week_end, dt.time(0), tzinfo=zone),
    ).order_by("starts_at")
    for index, slot in enumerate(slots):
        # Leave a place open now and then: the heat map shows short and part-booked cells.
        places = max(min(slot.needed, len(agents)) - (index % 4 == 3), 0)
        for turn in range(places):
            agent = agents[(index + turn) % len(agents)]
            _, made = Booking.objects.get_or_create(
                slot=slot,
                agent=agent,
                status=Booking.Status.BOOKED,
                defaults={"booked_at": slot.opened_at},
            )
            if made and slot.ends_at <= now and (index + turn) % 7:  # every 7th: a no-show
                _on_duty(agent.pk, slot.starts_at, slot.ends_at)
    return []


def _on_duty(agent_id: int, start: dt.datetime, end: dt.datetime) -> None:
    """A closed duty spell over [start, end), unless one already covers part of it."""
    overlapping = DutySpell.objects.filter(agent_id=agent_id, started_at__lt=end).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=start)
    )
    if not overlapping.exists():
        DutySpell.objects.create(agent_id=agent_id, started_at=start, ended_at=end - SLOT / 10)
