"""The quarterly TDS summary: per agent and quarter of the financial year, what a Form 16A
certificate (the deductor's TDS certificate for payments other than salary) needs — the
deductee's PAN, the amount paid or credited, the tax deducted, the date of credit, the
section — and the deductor's own TAN and PAN beside it.

A payout is credited to the agent when its settlement run books it (the run's `finished_at`,
a local date): TDS is due on credit or payment, whichever is earlier, and a statement is
always booked before it is paid. Each quarter is one GROUP BY over the payouts credited in it
(on the run's period index), never a scan in Python.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from agents.models import AgentProfile
from billing.models import Payout, SettlementRun
from common.dates import local_midnight, period_label
from common.taxids import financial_year, financial_year_label, quarters


@dataclass
class QuarterRow:
    agent_id: int
    name: str
    pan: str
    currency: str
    statements: int
    gross: Decimal
    tds: Decimal
    net: Decimal
    paid: Decimal  # of the gross, what is marked paid
    first_credit: dt.date
    last_credit: dt.date

    @property
    def credits_label(self) -> str:
        """The days of credit, both inclusive ('6–27 Oct 2026'; one day alone)."""
        return period_label(self.first_credit, self.last_credit, end_exclusive=False)


@dataclass
class Quarter:
    name: str  # "Q1"
    start: dt.date
    end: dt.date  # exclusive
    rows: list[QuarterRow] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, dict[str, Decimal]]:
        sums: dict[str, dict[str, Decimal]] = {}
        for row in self.rows:
            entry = sums.setdefault(row.currency, {"gross": Decimal(0), "tds": Decimal(0)})
            entry["gross"] += row.gross
            entry["tds"] += row.tds
        return sums


def year_of(label: str | None) -> tuple[dt.date, str]:
    """The financial year '2026-27' (its first day and label); bad or none: the current."""
    today = timezone.localdate()
    if label:
        try:
            first = int(label[:4])
            if label == f"{first}-{(first + 1) % 100:02d}" and 2000 <= first <= today.year:
                return dt.date(first, 4, 1), label
        except ValueError:
            pass
    return financial_year(today)[0], financial_year_label(today)


def tds_summary(*, fy_start: dt.date, agent: AgentProfile | None = None) -> list[Quarter]:
    """The four quarters of the financial year, each with one row per agent (and currency)
    credited in it; with `agent`, that agent's rows only (the agent's own earnings page)."""
    result = []
    for name, start, end in quarters(fy_start):
        payouts = Payout.objects.filter(
            run__kind=SettlementRun.Kind.AGENTS,
            run__finished_at__gte=local_midnight(start),
            run__finished_at__lt=local_midnight(end),
        )
        if agent is not None:
            payouts = payouts.filter(agent=agent)
        rows = (
            payouts.values("agent_id", "agent__full_name", "agent__pan", "currency")
            .annotate(
                statements=Count("id"),
                sum_gross=Sum("gross"),
                sum_tds=Sum("tds"),
                sum_net=Sum("net"),
                sum_paid=Sum("gross", filter=Q(status=Payout.Status.PAID), default=Decimal(0)),
                first_credit=Min("run__finished_at"),
                last_credit=Max("run__finished_at"),
            )
            .order_by("agent__full_name", "agent_id", "currency")
        )
        quarter = Quarter(name=name, start=start, end=end)
        for r in rows:
            quarter.rows.append(
                QuarterRow(
                    agent_id=r["agent_id"],
                    name=r["agent__full_name"],
                    pan=r["agent__pan"],
                    currency=r["currency"],
                    statements=r["statements"],
                    gross=r["sum_gross"],
                    tds=r["sum_tds"],
                    net=r["sum_net"],
                    paid=r["sum_paid"],
                    first_credit=timezone.localtime(r["first_credit"]).date(),
                    last_credit=timezone.localtime(r["last_credit"]).date(),
                )
            )
        result.append(quarter)
    return result


def deductor() -> dict[str, str]:
    """The agency as deductor, as the summary and the statements print it."""
    return {
        "name": settings.AGENCY_LEGAL_NAME,
        "tan": settings.AGENCY_TAN,
        "pan": settings.AGENCY_PAN,
        "section": settings.TDS_SECTION,
    }


def tds_years() -> list[str]:
    """The financial years with a settled agents' run, newest first (the page's year list)."""
    first = (
        SettlementRun.objects.filter(kind=SettlementRun.Kind.AGENTS, finished_at__isnull=False)
        .order_by("finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    today = timezone.localdate()
    start = financial_year(timezone.localtime(first).date() if first else today)[0]
    labels = []
    while start <= today:
        labels.append(financial_year_label(start))
        start = dt.date(start.year + 1, 4, 1)
    return labels[::-1]
