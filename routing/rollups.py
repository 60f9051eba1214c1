"""Daily roll-ups of the calls (routing.models.CallDay, CallHalfHour, CallAgentDay), for the
firms' Calls pages and the staff's agents page (routing.analytics reads them).

`callday_rollup(day=…)` recomputes one completed local day from the calls, for every line,
and writes its rows: run it twice, or again after a late status callback changed a call of
that day, and the rows are what the calls say.

Targets: a day counts each line's answers against the target the line had when the day was
first rolled up (kept on its CallDay row); rolling the day up again keeps that target, so a
line's new target applies from the day it was set (today, read raw) on and never rewrites
what a past day said. `callday_rollup(day=…, retarget=True)` counts the day again against the
lines' targets now, for the rare correction. `callday_sweep()` (Celery beat, nightly) rolls
up yesterday and fills any earlier day that has calls but no rows (the beat was down, the
feature is new), a bounded number a run. Nothing here runs inside a webhook's transaction.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agents.models import AgentProfile
from clients.models import PhoneLine
from routing import notices
from routing.analytics import (
    LINE_FIGURES,
    agent_day_rows,
    day_bounds,
    line_day_rows,
    line_slot_rows,
)
from routing.models import Call, CallAgentDay, CallDay, CallHalfHour

FIGURES = list(LINE_FIGURES)  # a line's day, as routing.analytics counts it
ZERO = dict.fromkeys(FIGURES, 0)


@transaction.atomic
def callday_rollup(*, day: dt.date, retarget: bool = False) -> int:
    """Recompute `day` (a completed local day) for every line; returns the CallDay rows written.

    A line with no call that day gets a CallDay row of zeros: the day reads as rolled up.
    Its half-hours and agents are rewritten whole (rows only where there were calls)."""
    if day >= timezone.localdate():
        raise ValueError("Only a completed day is rolled up: today is read from the calls.")
    start, end = day_bounds(day)
    # Inbound only: service level, waits and offers are the callers'; outbound attempts
    # have figures of their own (campaigns).
    calls = Call.objects.filter(
        direction=Call.Direction.INBOUND, created_at__gte=start, created_at__lt=end
    )
    lines = list(
        # Every line that existed that day; and a line with calls that day in any case.
        PhoneLine.objects.filter(Q(created_at__lt=end) | Q(pk__in=calls.values("line_id")))
        .order_by("pk")
        .values_list("pk", "firm_id", "service_level_target_seconds")
    )
    kept = (
        {}
        if retarget
        else dict(CallDay.objects.filter(day=day).values_list("line_id", "target_seconds"))
    )
    targets = {pk: kept.get(pk, target) for pk, _, target in lines}
    figures = {row["line_id"]: row for row in line_day_rows(calls, targets=targets)}
    rows = [
        CallDay(
            line_id=line_id,
            firm_id=firm_id,
            day=day,
            **{name: figures.get(line_id, ZERO)[name] for name in FIGURES},
            target_seconds=targets[line_id],
        )
        for line_id, firm_id, _ in lines
    ]
    CallDay.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["line", "day"],
        update_fields=[*FIGURES, "target_seconds", "firm", "computed_at"],
        batch_size=1000,
    )
    CallHalfHour.objects.filter(day=day).delete()
    CallHalfHour.objects.bulk_create(
        [CallHalfHour(**row) for row in line_slot_rows(calls, targets=targets)], batch_size=1000
    )
    CallAgentDay.objects.filter(day=day).delete()
    agents = agent_day_rows(calls)
    # A candidate listed once and deleted since (never called: no call protects them).
    known = set(
        AgentProfile.objects.filter(pk__in={r["agent_id"] for r in agents}).values_list(
            "pk", flat=True
        )
    )
    CallAgentDay.objects.bulk_create(
        [CallAgentDay(**row) for row in agents if row["agent_id"] in known], batch_size=1000
    )
    return len(rows)


def days_missing(*, before: dt.date, limit: int) -> list[dt.date]:
    """Past days (before `before`) that have calls but no roll-up row, oldest first."""
    first = Call.objects.order_by("created_at").values_list("created_at", flat=True).first()
    if first is None:
        return []
    first_day = timezone.localdate(first)
    rolled = set(
        CallDay.objects.filter(day__gte=first_day, day__lt=before)
        .values_list("day", flat=True)
        .distinct()
    )
    missing = []
    day = first_day
    while day < before and len(missing) < limit:
        if day not in rolled and _has_calls(day):
            missing.append(day)
        day += dt.timedelta(days=1)
    return missing


def _has_calls(day: dt.date) -> bool:
    start, end = day_bounds(day)
    return Call.objects.filter(
        direction=Call.Direction.INBOUND, created_at__gte=start, created_at__lt=end
    ).exists()


def callday_sweep(*, limit: int = 60) -> list[dt.date]:
    """Roll up yesterday (again: late callbacks land), then up to `limit` missing days."""
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    done = []
    for day in [yesterday, *days_missing(before=yesterday, limit=limit)]:
        callday_rollup(day=day)
        done.append(day)
    notices.service_level_alerts(day=yesterday)  # once per line and day (its key)
    return done
