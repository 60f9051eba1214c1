"""Daily roll-ups of the calls (routing.models.CallDay), for the firms' Calls pages.

`callday_rollup(day=…)` recomputes one completed local day from the calls, for every line,
and upserts its rows: run it twice, or again after a late status callback changed a call of
that day, and the rows are what the calls say. `callday_sweep()` (Celery beat, nightly) rolls
up yesterday and fills any earlier day that has calls but no rows (the beat was down, the
feature is new), a bounded number a run. Nothing here runs inside a webhook's transaction.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from clients.models import PhoneLine
from routing import notices
from routing.models import Call, CallDay
from routing.selectors import SERVICE_LEVEL_TARGET_SECONDS, call_day_figures, day_bounds

FIGURES = [
    "calls",
    "offered",
    "answered",
    "waited",
    "within_target",
    "abandoned",
    "talked",
    "talk_seconds_sum",
    "wait_seconds_sum",
    "target_seconds",
]


@transaction.atomic
def callday_rollup(*, day: dt.date, target_seconds: int = SERVICE_LEVEL_TARGET_SECONDS) -> int:
    """Recompute `day` (a completed local day) for every line; returns the rows written.

    A line with no call that day gets a row of zeros: the day reads as rolled up."""
    if day >= timezone.localdate():
        raise ValueError("Only a completed day is rolled up: today is read from the calls.")
    start, end = day_bounds(day)
    calls = Call.objects.filter(created_at__gte=start, created_at__lt=end)
    figures = call_day_figures(calls, target_seconds=target_seconds)
    figures = {row["line_id"]: row for row in figures}
    zero = dict.fromkeys(FIGURES, 0) | {"target_seconds": target_seconds}
    rows = [
        CallDay(
            line_id=line_id,
            firm_id=firm_id,
            day=day,
            **{name: figures.get(line_id, zero)[name] for name in FIGURES},
        )
        # Every line that existed that day; and a line with calls that day in any case.
        for line_id, firm_id in PhoneLine.objects.filter(
            Q(created_at__lt=end) | Q(pk__in=list(figures))
        )
        .order_by("pk")
        .values_list("pk", "firm_id")
    ]
    CallDay.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["line", "day"],
        update_fields=[*FIGURES, "firm", "computed_at"],
        batch_size=1000,
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
    return Call.objects.filter(created_at__gte=start, created_at__lt=end).exists()


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
