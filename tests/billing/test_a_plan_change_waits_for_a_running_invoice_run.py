"""On PostgreSQL a plan change waits for a firms' run that is executing: the run reads the
plan in several statements (the invoice, then its lines) and must read one version of it."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction

from billing.models import FixedFeePlan, SettlementRun
from billing.plans import fee_plan_set
from billing.settlement import run_claim, run_execute, run_open
from tests.billing.factories import last_month, ledger_row

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_plan_change_waits_until_the_executing_run_commits(fiona, globex, bob):
    FixedFeePlan.objects.create(firm=globex, fee=Decimal("1000"), currency="INR")
    ledger_row(bob, globex, day=last_month())
    run = run_open(kind="firms", day=last_month())
    run_claim(run_id=run.pk)
    holding, release, order = threading.Event(), threading.Event(), []

    def executing_run():
        # As run_execute does: the run's row is locked from its start to its commit.
        with transaction.atomic():
            SettlementRun.objects.select_for_update().get(pk=run.pk)
            holding.set()
            release.wait(10)
            order.append("run committed")
        connection.close()

    def plan_change():
        fee_plan_set(
            actor=fiona,
            firm=globex,
            fee=Decimal("2000"),
            included_calls=None,
            overage_per_call=Decimal(0),
            currency="INR",
        )
        order.append("plan saved")
        connection.close()

    runner = threading.Thread(target=executing_run)
    runner.start()
    assert holding.wait(10)
    changer = threading.Thread(target=plan_change)
    changer.start()
    time.sleep(0.5)
    assert order == []  # the change is waiting for the run
    release.set()
    runner.join(10)
    changer.join(10)
    assert order == ["run committed", "plan saved"]
    run_execute(run_id=run.pk)
    assert run.invoices.get().total == 2000  # executed after the change: the new terms
