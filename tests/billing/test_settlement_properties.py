"""Properties of settlement over random ledgers: totals add up, every row is settled once.

Each example builds its own agents, firms and rows inside a transaction that is rolled back
at the end, so examples don't see each other's rows. Periods are weekly for both kinds here
(BILLING_PERIODS), so two ended periods of each kind are at hand whatever today's date.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import Adjustment, Invoice, Payout, SettlementRun, Transaction
from billing.periods import period_start
from billing.settlement import run_claim, run_execute, run_open
from tests.billing.factories import adjustment_row, ledger_row
from tests.factories import AgentProfileFactory, ClientFirmFactory, UserFactory

Kind = SettlementRun.Kind
cents = st.integers(min_value=1, max_value=500_000)
rows = st.lists(
    st.tuples(
        st.integers(0, 2),  # agent
        st.integers(0, 1),  # firm
        cents,  # agent amount
        st.integers(0, 200_000),  # agency margin
        st.integers(0, 13),  # days before last Sunday: the last two weeks
        st.booleans(),  # recorded late: after the older week's runs were claimed
    ),
    max_size=12,
)
adjustments = st.lists(
    st.tuples(st.booleans(), st.integers(0, 2), cents, st.booleans(), st.integers(0, 13)),
    max_size=6,
)  # (for an agent?, whose, amount, negative?, days back)


def paise(n: int) -> Decimal:
    return Decimal(n).scaleb(-2)


def total(values) -> Decimal:
    return sum(values, Decimal("0.00"))


class Rollback(Exception):
    pass


@pytest.mark.django_db
@override_settings(BILLING_PERIODS={"agents": "week", "firms": "week"})
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=rows, adjustments=adjustments)
def test_settlement_pays_and_invoices_every_row_exactly_once(rows, adjustments):
    try:
        with transaction.atomic():
            check_settlement(rows, adjustments)
            raise Rollback
    except Rollback:
        pass


def check_settlement(rows, adjustments) -> None:
    sunday = period_start(Kind.AGENTS, timezone.localdate()) - dt.timedelta(days=1)
    older = period_start(Kind.AGENTS, sunday - dt.timedelta(days=7))
    agents = [AgentProfileFactory(tds_rate=rate) for rate in (0, 10, Decimal("7.5"))]
    firms = [ClientFirmFactory(engagement_type="partial") for _ in range(2)]
    actor = UserFactory(role="finance")

    def write(late: bool) -> None:
        for agent, firm, amount, margin, back, is_late in rows:
            if is_late == late:
                day = sunday - dt.timedelta(days=back)
                ledger_row(
                    agents[agent],
                    firms[firm],
                    agent_amount=paise(amount),
                    client_amount=paise(amount + margin),
                    day=day,
                )
        for for_agent, whose, amount, negative, back in adjustments if not late else []:
            side = {"agent": agents[whose]} if for_agent else {"firm": firms[whose % 2]}
            adjustment_row(
                amount=paise(-amount if negative else amount),
                actor=actor,
                day=sunday - dt.timedelta(days=back),
                **side,
            )

    write(late=False)
    runs = [run_claim(run_id=run_open(kind=kind, day=older).pk) for kind in Kind.values]
    write(late=True)  # the older week is closed now: these go to the last week
    for run in runs:
        run_execute(run_id=run.pk)
    for kind in Kind.values:
        run_execute(run_id=run_claim(run_id=run_open(kind=kind, day=sunday).pk).pk)

    ledger = Transaction.objects.all()
    assert total(p.gross for p in Payout.objects.all()) == total(
        [t.agent_amount for t in ledger]
        + [a.amount for a in Adjustment.objects.filter(agent__isnull=False)]
    )
    assert total(i.total for i in Invoice.objects.all()) == total(
        [t.client_amount for t in ledger]
        + [a.amount for a in Adjustment.objects.filter(firm__isnull=False)]
    )
    paid = {(p.agent_id, p.run.period_start) for p in Payout.objects.select_related("run")}
    billed = {(i.firm_id, i.run.period_start) for i in Invoice.objects.select_related("run")}
    assert len(paid) == Payout.objects.count()  # one payout per agent and period
    assert len(billed) == Invoice.objects.count()
    for t in ledger:  # each row in one of the two settled periods, and settled there
        assert {t.agent_period, t.firm_period} <= {older, older + dt.timedelta(days=7)}
        assert (t.agent_id, t.agent_period) in paid
        assert (t.firm_id, t.firm_period) in billed
