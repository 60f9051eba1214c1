"""A staffing request's demand, and the half-hour slots opened from it.

Demand is calls per hour by half-hour of the request's week, in its time zone
(`RequestDemand`), or the flat `StaffingRequest.calls_per_hour` where no row is given. Each
half-hour the request is worked gets a `Slot` needing the agents Erlang C gives for that
demand and the request's service-level target, after shrinkage (clients.erlang).
"""

import datetime as dt
import logging
import zoneinfo
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from clients.marketplace import estimate_for
from clients.models import StaffingRequest
from clients.services import is_firm_person
from common.errors import ApplicationError, NotAllowed
from common.limits import instance_check
from teams.models import RequestDemand, Slot
from teams.selectors import demand_of, week_start_of

HALF_HOURS = 48
NEEDED_MAX = 32767  # Slot.needed is a small integer (PostgreSQL's smallint)

logger = logging.getLogger(__name__)


def agents_needed(*, request: StaffingRequest, calls_per_hour: Decimal) -> int:
    """Headcount for one half-hour: the request page's own Erlang C estimate
    (`clients.marketplace.estimate_for`: agents for the target, then shrinkage) for that
    half-hour's demand."""
    try:
        headcount = estimate_for(
            calls_per_hour=calls_per_hour,
            aht_seconds=request.aht_seconds,
            target_level=request.target_level,
            target_seconds=request.target_seconds,
            shrinkage=request.shrinkage,
        ).headcount
    except ApplicationError as error:  # which half-hour's demand: the grid has many
        raise ApplicationError(f"{calls_per_hour} calls per hour: {error.message}") from error
    if headcount > NEEDED_MAX:
        raise ApplicationError(
            f"{calls_per_hour} calls per hour would need {headcount:,} agents in one half-hour, "
            f"more than the {NEEDED_MAX:,} a slot can hold: lower the demand or the shrinkage."
        )
    return headcount


def half_hour_starts(*, request: StaffingRequest, day: dt.date, half_hour: int) -> list:
    """The UTC instants at which local half-hour `half_hour` of `day` starts, in the request's
    zone: none in a spring-forward gap (that local time never happens), two in the repeated
    hour of a fall-back (the local time happens twice, and both are worked)."""
    zone = zoneinfo.ZoneInfo(request.time_zone)
    local = dt.datetime.combine(day, dt.time(half_hour // 2, 30 * (half_hour % 2)))
    found = []
    for fold in (0, 1):
        at = local.replace(tzinfo=zone, fold=fold).astimezone(dt.UTC)
        # A time in a gap does not survive the round trip back to local time.
        if at.astimezone(zone).replace(tzinfo=None) == local and at not in found:
            found.append(at)
    return found


def worked_half_hours(*, request: StaffingRequest, day: dt.date) -> list[int]:
    """Half-hours of `day` (local) the request is worked: its dates, days and hours."""
    if not (request.start_date <= day <= request.end_date) or str(day.weekday()) not in (
        request.days
    ):
        return []
    found = []
    for half_hour in range(HALF_HOURS):
        start = dt.time(half_hour // 2, 30 * (half_hour % 2))
        if request.starts_at <= start < request.ends_at:
            found.append(half_hour)
    return found


def week_plan(*, request: StaffingRequest, week_start: dt.date) -> dict[dt.datetime, tuple]:
    """{slot start (UTC): (calls per hour, agents needed)} for the week from Monday
    `week_start` (local), only where the request is worked."""
    demand = demand_of(request=request)
    needed_for: dict[Decimal, int] = {}
    plan = {}
    for offset in range(7):
        day = week_start + dt.timedelta(days=offset)
        for half_hour in worked_half_hours(request=request, day=day):
            calls = demand.get((day.weekday(), half_hour), Decimal(0)) if demand else None
            calls = request.calls_per_hour if calls is None else calls
            if calls not in needed_for:
                needed_for[calls] = agents_needed(request=request, calls_per_hour=calls)
            for at in half_hour_starts(request=request, day=day, half_hour=half_hour):
                plan[at] = (calls, needed_for[calls])
    return plan


@transaction.atomic
def slots_open(*, request: StaffingRequest, week_start: dt.date) -> int:
    """Open (or update) the week's slots; returns how many slots the week has.

    Idempotent: a second run updates `needed` and the rate of the slots not begun, creates
    what is missing, and deletes nothing — a booked slot whose demand fell keeps its bookings
    (over-booked on the coverage page), one no longer worked (hours changed) stays as it was,
    and one begun keeps the need it was worked against (the coverage page's history)."""
    request = StaffingRequest.objects.select_for_update().get(pk=request.pk)
    plan = week_plan(request=request, week_start=week_start)
    existing = {s.starts_at: s for s in Slot.objects.filter(request=request, starts_at__in=plan)}
    now = timezone.now()
    changed, fresh = [], []
    for at, (calls, needed) in plan.items():
        slot = existing.get(at)
        if slot is None:
            if needed:
                fresh.append(
                    Slot(
                        request=request,
                        starts_at=at,
                        calls_per_hour=calls,
                        needed=needed,
                        opened_at=now,
                    )
                )
        elif slot.starts_at > now and (slot.needed, slot.calls_per_hour) != (needed, calls):
            slot.needed, slot.calls_per_hour = needed, calls
            changed.append(slot)
    Slot.objects.bulk_create(fresh)
    Slot.objects.bulk_update(changed, ["needed", "calls_per_hour"])
    return len(existing) + len(fresh)


def slots_open_ahead(*, weeks: int = 2, today: dt.date | None = None) -> int:
    """This week's and the next `weeks` weeks' slots of every open request (the beat task)."""
    opened = 0
    requests = StaffingRequest.objects.filter(status=StaffingRequest.Status.OPEN)
    for request in requests.order_by("pk"):
        zone = zoneinfo.ZoneInfo(request.time_zone)
        monday = week_start_of(today or timezone.now().astimezone(zone).date())
        if request.end_date < monday:
            continue
        try:
            for week in range(weeks + 1):
                opened += slots_open(request=request, week_start=monday + dt.timedelta(weeks=week))
        except ApplicationError as error:  # one request's figures must not stop the others
            logger.warning("slots of request %s not opened: %s", request.pk, error.message)
    return opened


@transaction.atomic
def request_demand_set(
    *, actor: User, request: StaffingRequest, rows: dict[tuple[int, int], Decimal]
) -> int:
    """Replace the request's demand by `rows` {(weekday, half_hour): calls per hour}; an
    empty `rows` goes back to the flat rate. Only a person of the request's own firm."""
    request = StaffingRequest.objects.select_for_update().get(pk=request.pk)
    if not is_firm_person(user=actor, firm_id=request.firm_id):
        raise NotAllowed("Only your firm's people can set this request's demand.")
    demand = []
    for (weekday, half_hour), calls in sorted(rows.items()):
        row = RequestDemand(
            request=request, weekday=weekday, half_hour=half_hour, calls_per_hour=calls
        )
        instance_check(row, exclude=["request"])
        if calls:
            agents_needed(request=request, calls_per_hour=calls)  # staffable, or a clear error
        demand.append(row)
    RequestDemand.objects.filter(request=request).delete()
    RequestDemand.objects.bulk_create(demand)
    return len(demand)
