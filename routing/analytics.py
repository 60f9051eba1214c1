"""Call figures for the firms' Calls page and the staff's agents page: per line, per day, per
half-hour and per agent, over a period of local days.

Completed days are read from the nightly roll-ups (`CallDay`, `CallHalfHour`, `CallAgentDay`,
written together by `routing.rollups.callday_rollup`); today, and any past day the sweep has
not rolled up yet, from the calls and their routing decisions — by the same functions the
roll-up itself uses (`line_day_rows`, `line_slot_rows`, `agent_day_rows`), so both paths give
the same figures. A day counts as rolled up when it has `CallDay` rows (a row per line, zeros
included, written in the same transaction as the others).

Each line's service level counts against that line's own target: for a rolled-up day, the
target stored on its `CallDay` row (the one the line had when the day was rolled up); for
today, the line's target now.
"""

import dataclasses
import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractHour, TruncDate
from django.utils import timezone

from clients.models import ClientFirm, PhoneLine
from common.dates import local_midnight
from routing.models import (
    Call,
    CallAgentDay,
    CallDay,
    CallHalfHour,
    CallScore,
    RoutingDecision,
)

MAX_PERIOD_DAYS = 366  # the longest period a page reads (a year, leap day included)


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The local day (the portal's TIME_ZONE, as TruncDate groups) as [start, end)."""
    return local_midnight(day), local_midnight(day + dt.timedelta(days=1))


@dataclasses.dataclass(frozen=True)
class Period:
    """Local days `first` to `last`, both included (stored half-open as [start, end))."""

    first: dt.date
    last: dt.date

    @property
    def start(self) -> dt.date:
        return self.first

    @property
    def end(self) -> dt.date:  # exclusive, as `period_label` takes it
        return self.last + dt.timedelta(days=1)

    @property
    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=i) for i in range((self.last - self.first).days + 1)]


# --- From the calls (the roll-up's own rules) ---------------------------------------------

WAIT = ExpressionWrapper(F("answered_at") - F("queued_at"), output_field=DurationField())
OFFERED = ~Q(status=Call.Status.AFTER_HOURS)  # after-hours calls are never offered
WAITED = OFFERED & Q(answered_at__isnull=False, queued_at__isnull=False)


def _within(targets: dict[int, int]) -> Q:
    """Answered within the target of the call's own line: one condition per distinct target
    (a handful), portable to SQLite — no interval arithmetic on a column."""
    by_target: dict[int, list[int]] = defaultdict(list)
    for line_id, seconds in targets.items():
        by_target[seconds].append(line_id)
    condition = Q(pk__in=[])
    for seconds, line_ids in sorted(by_target.items()):
        condition |= Q(line_id__in=line_ids, wait__lte=dt.timedelta(seconds=seconds))
    return WAITED & condition


def _seconds(value: dt.timedelta | None) -> float:
    return value.total_seconds() if value else 0.0


def line_day_rows(calls: QuerySet[Call], *, targets: dict[int, int]) -> list[dict]:
    """`calls` counted per line and local day, in one GROUP BY: `CallDay`'s columns, each
    line against its target in `targets` (line id -> seconds)."""
    rows = (
        calls.order_by()
        .annotate(day=TruncDate("created_at"), wait=WAIT)
        .values("line_id", "firm_id", "day")
        .annotate(
            calls=Count("id"),
            offered=Count("id", filter=OFFERED),
            answered=Count("id", filter=Q(answered_at__isnull=False)),
            waited=Count("id", filter=WAITED),
            within_target=Count("id", filter=_within(targets)),
            abandoned=Count("id", filter=Q(status=Call.Status.ABANDONED)),
            talked=Count("talk_seconds"),
            talk_seconds_sum=Coalesce(Sum("talk_seconds"), 0),
            wait_sum=Sum("wait", filter=WAITED),
        )
    )
    return [
        row
        | {
            "wait_seconds_sum": _seconds(row.pop("wait_sum")),
            "target_seconds": targets[row["line_id"]],
        }
        for row in rows
    ]


def line_slot_rows(calls: QuerySet[Call], *, targets: dict[int, int]) -> list[dict]:
    """`calls` counted per line, local day and half-hour (`CallHalfHour`'s columns)."""
    rows = (
        calls.order_by()
        .annotate(
            day=TruncDate("created_at"),
            hour=ExtractHour("created_at"),  # local time (USE_TZ: the current time zone)
            half=Case(When(created_at__minute__gte=30, then=Value(1)), default=Value(0)),
            wait=WAIT,
        )
        .values("line_id", "firm_id", "day", "hour", "half")
        .annotate(
            offered=Count("id", filter=OFFERED),
            waited=Count("id", filter=WAITED),
            within_target=Count("id", filter=_within(targets)),
            abandoned=Count("id", filter=Q(status=Call.Status.ABANDONED)),
            wait_sum=Sum("wait", filter=WAITED),
        )
    )
    return [
        {
            "line_id": row["line_id"],
            "firm_id": row["firm_id"],
            "day": row["day"],
            "slot": row["hour"] * 2 + row["half"],
            "offered": row["offered"],
            "waited": row["waited"],
            "within_target": row["within_target"],
            "abandoned": row["abandoned"],
            "wait_seconds_sum": _seconds(row["wait_sum"]),
        }
        for row in rows
        if row["offered"]  # after-hours calls alone: nothing offered in that half-hour
    ]


def agent_day_rows(calls: QuerySet[Call]) -> list[dict]:
    """Per agent, line and local day of `calls` (`CallAgentDay`'s columns): offers and
    chances from the calls' routing decisions, answers and talk from the calls. Two queries;
    the candidates lists (ten at most a decision) are counted in Python."""
    keyed: dict[tuple, dict] = {}

    def row(agent_id, line_id, firm_id, day) -> dict:
        key = (agent_id, line_id, day)
        if key not in keyed:
            keyed[key] = dict(zip(AGENT_KEYS, (agent_id, line_id, firm_id, day), strict=True))
            keyed[key] |= dict.fromkeys(AGENT_FIGURES, 0)
        return keyed[key]

    decisions = (
        RoutingDecision.objects.filter(call__in=calls.order_by().values("pk"))
        .annotate(day=TruncDate("call__created_at"))
        .values_list("chosen_id", "call__line_id", "call__firm_id", "day", "candidates")
        .order_by()
    )
    for chosen_id, line_id, firm_id, day, candidates in decisions:
        if chosen_id is not None:
            row(chosen_id, line_id, firm_id, day)["offered"] += 1
        for agent_id in {c["agent"] for c in candidates or []}:
            row(agent_id, line_id, firm_id, day)["chances"] += 1
    answered = (
        calls.order_by()
        .filter(agent__isnull=False, answered_at__isnull=False)
        .annotate(day=TruncDate("created_at"))
        .values("agent_id", "line_id", "firm_id", "day")
        .annotate(
            n=Count("id"), talked=Count("talk_seconds"), talk=Coalesce(Sum("talk_seconds"), 0)
        )
    )
    for a in answered:
        r = row(a["agent_id"], a["line_id"], a["firm_id"], a["day"])
        r["answered"], r["talked"], r["talk_seconds_sum"] = a["n"], a["talked"], a["talk"]
        # An answer routed before decisions were recorded (or by hand) is still an offer.
        r["offered"] = max(r["offered"], r["answered"])
    return sorted(keyed.values(), key=lambda r: (r["day"], r["line_id"], r["agent_id"]))


AGENT_KEYS = ("agent_id", "line_id", "firm_id", "day")
AGENT_FIGURES = ("offered", "answered", "chances", "talked", "talk_seconds_sum")
LINE_FIGURES = (
    "calls",
    "offered",
    "answered",
    "waited",
    "within_target",
    "abandoned",
    "talked",
    "talk_seconds_sum",
    "wait_seconds_sum",
)
SLOT_FIGURES = ("offered", "waited", "within_target", "abandoned", "wait_seconds_sum")


# --- A period: roll-ups for completed days, calls for the rest -----------------------------


@dataclasses.dataclass
class Figures:
    """What a period's pages read, rolled-up and raw parts merged."""

    period: Period
    rolled: Q  # the roll-up tables' rows to read: the period's rolled-up days, the firm's
    raw_lines: list[dict]
    raw_slots: list[dict]
    raw_agents: list[dict]


def _runs(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive days as [first, last] runs: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    runs: list[list[dt.date]] = []
    for day in days:
        if runs and (day - runs[-1][1]).days == 1:
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(a, b) for a, b in runs]


def figures_for(*, period: Period, firm: ClientFirm | None = None) -> Figures:
    """The period's figures of `firm` (None: every firm, for staff)."""
    today = timezone.localdate()
    scope = {} if firm is None else {"firm": firm}
    rolled_days = set(
        CallDay.objects.filter(day__gte=period.first, day__lte=min(period.last, today), **scope)
        .exclude(day__gte=today)
        .values_list("day", flat=True)
        .distinct()
        .order_by()
    )
    missing = [day for day in period.days if day not in rolled_days]
    raw_lines, raw_slots, raw_agents = [], [], []
    if missing:
        window = Q(pk__in=[])
        for first, last in _runs(missing):
            window |= Q(created_at__gte=day_bounds(first)[0], created_at__lt=day_bounds(last)[1])
        calls = Call.objects.filter(window, direction=Call.Direction.INBOUND, **scope)
        # Days not rolled up yet count against the lines' targets now, as their first
        # roll-up will (routing.rollups).
        lines = PhoneLine.objects.filter(**scope).values_list("pk", "service_level_target_seconds")
        targets = dict(lines)
        raw_lines = line_day_rows(calls, targets=targets)
        raw_slots = line_slot_rows(calls, targets=targets)
        raw_agents = agent_day_rows(calls)
    return Figures(
        period=period,
        rolled=Q(day__in=sorted(rolled_days), **scope),
        raw_lines=raw_lines,
        raw_slots=raw_slots,
        raw_agents=raw_agents,
    )


def _merge(rolled: Iterable[dict], raw: Iterable[dict], keys: tuple, names: tuple) -> dict:
    """Sum `names` of the rows, grouped by `keys`: {key tuple: row}."""
    merged: dict[tuple, dict] = {}
    for row in [*rolled, *raw]:
        key = tuple(row[k] for k in keys)
        into = merged.setdefault(key, {k: row[k] for k in keys} | dict.fromkeys(names, 0))
        for name in names:
            into[name] += row[name] or 0
    return merged


def _by(raw: list[dict], keys: tuple, names: tuple) -> list[dict]:
    """Raw rows summed by `keys` (the raw part of a merge, in the shape of a GROUP BY)."""
    return list(_merge([], raw, keys, names).values())


def _sums(names: tuple) -> dict:
    return {name: Sum(name) for name in names}


def per_line(figures: Figures) -> dict[int, dict]:
    """line id -> the period's figures, with the lowest and highest target counted."""
    rolled = (
        CallDay.objects.filter(figures.rolled)
        .order_by()
        .values("line_id")
        .annotate(
            **_sums(LINE_FIGURES),
            target_low=Min("target_seconds"),
            target_high=Max("target_seconds"),
        )
    )
    rolled = list(rolled)
    merged = _merge(
        rolled, _by(figures.raw_lines, ("line_id",), LINE_FIGURES), ("line_id",), LINE_FIGURES
    )
    targets: dict[int, set[int]] = defaultdict(set)
    for row in rolled:
        targets[row["line_id"]] |= {row["target_low"], row["target_high"]}
    for row in figures.raw_lines:
        targets[row["line_id"]].add(row["target_seconds"])
    return {
        key[0]: row | {"targets": sorted(targets[key[0]])} | _derived(row)
        for key, row in merged.items()
    }


def per_day_zero() -> dict:
    """A line's figures for a period without a call or a roll-up row."""
    zero = dict.fromkeys(LINE_FIGURES, 0)
    return zero | {"targets": []} | _derived(zero)


def total(rows: list[dict]) -> dict:
    """The rows' figures summed (the firm's lines: the period's totals)."""
    summed = {name: sum(row[name] for row in rows) for name in LINE_FIGURES}
    return summed | _derived(summed)


def per_day(figures: Figures) -> list[dict]:
    """Every day of the period, in order, zeros included."""
    rolled = (
        CallDay.objects.filter(figures.rolled)
        .order_by()
        .values("day")
        .annotate(**_sums(LINE_FIGURES))
    )
    merged = _merge(rolled, _by(figures.raw_lines, ("day",), LINE_FIGURES), ("day",), LINE_FIGURES)
    zero = dict.fromkeys(LINE_FIGURES, 0)
    return [
        (merged.get((day,)) or {"day": day} | zero) | _derived(merged.get((day,)) or zero)
        for day in figures.period.days
    ]


def per_slot(figures: Figures) -> list[dict]:
    """The 48 half-hours of the day, summed over the period's days (zeros included)."""
    rolled = (
        CallHalfHour.objects.filter(figures.rolled)
        .order_by()
        .values("slot")
        .annotate(**_sums(SLOT_FIGURES))
    )
    merged = _merge(
        rolled, _by(figures.raw_slots, ("slot",), SLOT_FIGURES), ("slot",), SLOT_FIGURES
    )
    zero = dict.fromkeys(SLOT_FIGURES, 0)
    return [
        (merged.get((slot,)) or {"slot": slot} | zero)
        | {"label": f"{slot // 2:02d}:{30 * (slot % 2):02d}"}
        | _derived(merged.get((slot,)) or zero)
        for slot in range(CallHalfHour.SLOTS)
    ]


def _derived(row: dict) -> dict:
    """Answered later, the service level (a share of the offered calls) and the average wait."""
    offered, waited, within = row["offered"], row["waited"], row["within_target"]
    return {
        "later": waited - within,
        "other": offered - waited - row["abandoned"],  # voicemail, failed, lost, still live
        "service_level": (within / offered) if offered else None,
        "average_wait": (row["wait_seconds_sum"] / waited) if waited else None,
    }


def per_agent(figures: Figures, *, keys: tuple = ("agent_id",)) -> list[dict]:
    """Per agent (or per `keys`, e.g. agent and firm): offered, answered, missed, average
    handle time (talk), chances."""
    rolled = (
        CallAgentDay.objects.filter(figures.rolled)
        .order_by()
        .values(*keys)
        .annotate(**_sums(AGENT_FIGURES))
    )
    merged = _merge(rolled, _by(figures.raw_agents, keys, AGENT_FIGURES), keys, AGENT_FIGURES)
    return [
        row
        | {
            "missed": row["offered"] - row["answered"],
            "handle_seconds": (row["talk_seconds_sum"] / row["talked"]) if row["talked"] else None,
        }
        for row in merged.values()
    ]


def shares(rows: list[dict], *, of: str = "firm_id") -> list[dict]:
    """Each row's share of its firm's answered calls (over the rows given: the period's)."""
    totals: dict = defaultdict(int)
    for row in rows:
        totals[row.get(of)] += row["answered"]
    found = []
    for row in rows:
        total = totals[row.get(of)]
        share = (row["answered"] / total) if total else None
        percent = round(100 * share) if share is not None else None
        found.append(row | {"share": share, "share_percent": percent})
    return found


def spread(values: list[float]) -> float | None:
    """The coefficient of variation: the standard deviation over the mean (population).
    0 when every value is the same; None with fewer than two values or a zero mean."""
    if len(values) < 2:
        return None
    mean = statistics.fmean(values)
    if mean == 0:
        return None
    return statistics.pstdev(values) / mean


def fairness(figures: Figures) -> list[dict]:
    """Per line: each agent's offers against their chances (the times routing listed them as
    free and eligible for one of the line's calls), and how evenly that share was spread."""
    rows = per_agent(figures, keys=("line_id", "agent_id"))
    lines: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        if row["chances"]:
            lines[row["line_id"]].append(row | {"rate": row["offered"] / row["chances"]})
    return [
        {
            "line_id": line_id,
            "agents": sorted(agents, key=lambda r: (-r["rate"], r["agent_id"])),
            "chances": sum(r["chances"] for r in agents),
            "offered": sum(r["offered"] for r in agents),
            "spread": spread([r["rate"] for r in agents]),
        }
        for line_id, agents in sorted(lines.items())
    ]


# --- Quality and survey, beside the agents' figures (issue 16) ------------------------------


def quality_per_agent(
    *, period: Period, firm: ClientFirm | None = None, keys: tuple = ("agent_id",)
) -> dict[tuple, dict]:
    """Per agent (or per `keys`): the mean quality score (percent) of the period's calls
    and how many scores, and the mean survey rating (1-5) of the period's answered calls and
    how many ratings — two GROUP BYs, on the calls of the period's local days (the period a
    figure describes is that of its calls, scored or rated since). Not rolled up: scores and
    ratings arrive after the call, and are few."""
    start, end = day_bounds(period.first)[0], day_bounds(period.last)[1]
    scope = {} if firm is None else {"firm": firm}
    scores = (
        CallScore.objects.filter(call__created_at__gte=start, call__created_at__lt=end, **scope)
        .order_by()
        .values(*keys)
        .annotate(quality=Avg("percent"), scored=Count("pk"))
    )
    surveys = (
        Call.objects.filter(
            direction=Call.Direction.INBOUND,
            created_at__gte=start,
            created_at__lt=end,
            agent__isnull=False,
            answered_at__isnull=False,
            survey_score__isnull=False,
            **scope,
        )
        .order_by()
        .values(*keys)
        .annotate(survey=Avg("survey_score"), surveyed=Count("pk"))
    )
    found: dict[tuple, dict] = defaultdict(
        lambda: {"quality": None, "scored": 0, "survey": None, "surveyed": 0}
    )
    for row in [*scores, *surveys]:
        key = tuple(row[k] for k in keys)
        found[key] |= {name: row[name] for name in row if name not in keys}
    return dict(found)
