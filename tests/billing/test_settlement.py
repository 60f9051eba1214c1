"""Settlement runs: payouts for agents, invoices for firms, each ledger row settled once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from agents.models import AgentProfile
from billing.ledger import transaction_record
from billing.models import FixedFeePlan, Invoice, InvoiceLine, Payout, SettlementRun
from billing.settlement import run_claim, run_execute, run_open
from clients.models import Engagement
from common.errors import ApplicationError, ConflictError
from tests.billing.factories import (
    adjustment_row,
    answered_call,
    day_at_noon,
    last_month,
    last_week,
    ledger_row,
    settle,
)


def money(payout: Payout) -> tuple[Decimal, ...]:
    return payout.gross, payout.tds_rate, payout.tds, payout.net


def test_an_agents_run_pays_each_agent_their_amounts_and_adjustments_less_tds(alice, bob, acme):
    day = last_week()
    ledger_row(alice, acme, agent_amount="10.10", day=day)
    ledger_row(alice, acme, agent_amount="0.20", day=day)
    adjustment_row(agent=alice, amount="-0.05", day=day)
    ledger_row(bob, acme, agent_amount="10.10", day=day)
    ledger_row(bob, acme, agent_amount="99.00", client_amount="100.00")  # this period: later
    AgentProfile.objects.filter(user=bob).update(tds_rate=5)
    run = settle("agents", day)
    payouts = {p.agent.user: p for p in run.payouts.select_related("agent__user")}
    assert set(payouts) == {alice, bob}
    # TDS rounds half up: 10% of 10.25 is 1.025 -> 1.03; 5% of 10.10 is 0.505 -> 0.51.
    assert money(payouts[alice]) == (Decimal("10.25"), 10, Decimal("1.03"), Decimal("9.22"))
    assert money(payouts[bob]) == (Decimal("10.10"), 5, Decimal("0.51"), Decimal("9.59"))
    assert (run.total, run.transactions) == (Decimal("20.35"), 3)


def test_a_partial_firm_is_invoiced_its_client_amounts_with_a_line_per_request(alice, bob, acme):
    day = last_month()
    ledger_row(alice, acme, agent_amount="10.00", client_amount="40.00", day=day)
    ledger_row(alice, acme, agent_amount="10.00", client_amount="12.34", day=day)
    ledger_row(bob, acme, agent_amount="10.00", client_amount="20.00", day=day)
    adjustment_row(firm=acme, amount="-2.34", day=day)
    invoice = Invoice.objects.get(run=settle("firms", day), firm=acme)
    assert (invoice.kind, invoice.total) == ("activity", Decimal("70.00"))
    requests = {e.agent.user: e.request for e in Engagement.objects.select_related("agent__user")}
    lines = {
        (line.request, line.description): (line.quantity, line.amount)
        for line in invoice.lines.all()
    }
    assert lines == {
        (requests[alice], "Handled calls"): (2, Decimal("52.34")),
        (requests[bob], "Handled calls"): (1, Decimal("20.00")),
        (None, "Adjustments"): (1, Decimal("-2.34")),
    }


def test_a_complete_firm_pays_its_fixed_fee_and_overage_not_per_call(alice, globex):
    FixedFeePlan.objects.create(
        firm=globex,
        fee=Decimal("1000.00"),
        included_calls=2,
        overage_per_call=Decimal("5.50"),
        currency="INR",
    )
    day = last_month()
    for _ in range(3):
        ledger_row(alice, globex, client_amount="40.00", day=day)
    invoice = Invoice.objects.get(run=settle("firms", day), firm=globex)
    assert (invoice.kind, invoice.total) == ("fixed", Decimal("1005.50"))
    assert [(line.quantity, line.units, line.amount) for line in invoice.lines.all()] == [
        (1, 3, Decimal("1000.00")),  # the fee, for the period's 3 calls
        (1, 1, Decimal("5.50")),  # the one call beyond the 2 included
    ]


@pytest.mark.parametrize("kind", ["agents", "firms"])
def test_executing_a_run_again_changes_nothing(alice, acme, globex, kind):
    FixedFeePlan.objects.create(firm=globex, fee=Decimal("500"), currency="INR")
    day = last_month() - dt.timedelta(days=7)  # a week and a month that have both ended
    ledger_row(alice, acme, day=day)
    ledger_row(alice, globex, day=day)
    run = settle(kind, day)

    def state() -> list[list[tuple]]:
        return [
            list(Payout.objects.values_list("agent", "gross", "tds", "net")),
            list(Invoice.objects.values_list("firm", "kind", "total")),
            list(InvoiceLine.objects.values_list("invoice", "description", "amount")),
        ]

    before = state()
    run_claim(run_id=run.pk)
    again = run_execute(run_id=run.pk)
    assert state() == before
    assert (again.total, again.transactions) == (run.total, run.transactions)


def test_a_late_transaction_is_settled_by_the_next_run_and_never_twice(alice, acme):
    day = timezone.localdate() - dt.timedelta(days=14)
    on_time = transaction_record(call=answered_call(alice, acme, ended_at=day_at_noon(day)))
    run = run_claim(run_id=run_open(kind="agents", day=day).pk)
    late = transaction_record(call=answered_call(alice, acme, ended_at=day_at_noon(day)))
    assert (on_time.agent_period, late.agent_period) == (run.period_start, run.period_end)
    first = run_execute(run_id=run.pk)
    second = settle("agents", run.period_end)
    assert [p.gross for p in first.payouts.all()] == [Decimal("28.00")]
    assert [p.gross for p in second.payouts.all()] == [Decimal("28.00")]
    assert first.transactions + second.transactions == 2


@pytest.mark.parametrize("kind", ["agents", "firms"])
def test_a_period_that_has_not_ended_cannot_be_settled(db, kind):
    with pytest.raises(ApplicationError, match="has not ended: settle it from"):
        run_open(kind=kind, day=timezone.localdate())
    assert not SettlementRun.objects.exists()


def test_a_run_must_be_claimed_before_it_is_executed(db):
    run = run_open(kind="agents", day=last_week())
    with pytest.raises(ConflictError):
        run_execute(run_id=run.pk)
