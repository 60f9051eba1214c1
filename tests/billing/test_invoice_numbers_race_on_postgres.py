"""Invoice numbers on real PostgreSQL row locks (issue 15): runs issuing at once take turns
on the financial year's series row, so the series has no gaps and no repeats — and a run that
rolls back after taking numbers gives them back with everything else."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from billing.invoicing import invoices_issue
from billing.models import Invoice, InvoiceLine, InvoiceSeries, SettlementRun
from tests.factories import ClientFirmFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RUNS, FIRMS = 6, 3


class RolledBack(Exception):
    pass


def _runs() -> list[SettlementRun]:
    firms = [ClientFirmFactory() for _ in range(FIRMS)]
    runs = []
    for n in range(RUNS):
        start = dt.date(2020, 1, 1) + dt.timedelta(days=31 * n)
        run = SettlementRun.objects.create(
            kind="firms", period_start=start, period_end=start + dt.timedelta(days=28)
        )
        for firm in firms:
            invoice = Invoice.objects.create(
                run=run, firm=firm, kind="activity", currency="INR", total=Decimal("100.00")
            )
            InvoiceLine.objects.create(invoice=invoice, description="Calls", amount=invoice.total)
        runs.append(run)
    return runs


def _race(calls) -> list:
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index: int, call) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck on a lock"
    return outcomes


def test_runs_issuing_at_once_number_their_invoices_without_gaps_or_repeats():
    runs = _runs()

    def issue(run, fail: bool):
        def call():
            with transaction.atomic():
                issued = invoices_issue(run=run)
                if fail:  # a worker dying after it took its numbers: all of it rolls back
                    raise RolledBack
                return issued

        return call

    outcomes = _race([issue(run, fail=(i == 2)) for i, run in enumerate(runs)])
    assert sum(isinstance(o, RolledBack) for o in outcomes) == 1
    assert [o for o in outcomes if not isinstance(o, int | RolledBack)] == []
    issued = (RUNS - 1) * FIRMS
    serials = sorted(Invoice.objects.exclude(serial=None).values_list("serial", flat=True))
    assert serials == list(range(1, issued + 1))  # no gaps, no repeats
    assert len(set(Invoice.objects.exclude(number="").values_list("number", flat=True))) == issued
    (series,) = InvoiceSeries.objects.all()
    assert series.last_serial == issued
    # Each run's invoices are consecutive: one run takes its numbers in one go.
    for run in runs:
        own = sorted(run.invoices.exclude(serial=None).values_list("serial", flat=True))
        assert own == [] or own == list(range(own[0], own[0] + FIRMS))
