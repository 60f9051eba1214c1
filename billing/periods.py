"""Settlement periods: agents weekly (Monday to Monday), firms monthly, by default.

`BILLING_PERIODS = {"agents": "week", "firms": "month"}` in settings changes the lengths.
A ledger row belongs to the period of its date, unless that period's run has already been
claimed: then to the first period still open (a late transaction falls into the next period).
"""

import datetime as dt

from django.conf import settings
from django.db import connection

from billing.models import SettlementRun

Kind = SettlementRun.Kind


def _length(kind: str) -> str:
    default = "week" if kind == Kind.AGENTS else "month"
    return getattr(settings, "BILLING_PERIODS", {}).get(kind, default)


def period_start(kind: str, day: dt.date) -> dt.date:
    if _length(kind) == "week":
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1)


def period_end(kind: str, start: dt.date) -> dt.date:
    """The exclusive end of the period that starts on `start`."""
    if _length(kind) == "week":
        return start + dt.timedelta(days=7)
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def periods_lock_shared() -> None:
    """Hold both kinds' locks FOR SHARE until the caller's transaction ends."""
    # Django's ORM has no FOR SHARE: say it in SQL. SQLite needs nothing: its IMMEDIATE
    # transactions already serialise every writer.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT kind FROM billing_settlementlock FOR SHARE")
            if cursor.rowcount < len(Kind.values):
                # The rows come with a migration; a flushed database (tests) lacks them, and
                # locking nothing would let a run's claim slip past this writer.
                cursor.execute(
                    "INSERT INTO billing_settlementlock (kind) VALUES ('agents'), ('firms') "
                    "ON CONFLICT DO NOTHING"
                )
                cursor.execute("SELECT kind FROM billing_settlementlock FOR SHARE")


def open_period(kind: str, day: dt.date) -> dt.date:
    """The period a row dated `day` joins now. Call with the locks held (periods_lock_shared)."""
    natural = period_start(kind, day)
    closed = (
        SettlementRun.objects.filter(kind=kind, closed_at__isnull=False)
        .order_by("-period_start")
        .values_list("period_end", flat=True)
        .first()
    )
    if closed is not None and natural < closed:
        return closed  # the first period after the last one closed
    return natural
