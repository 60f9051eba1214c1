"""The ledger: one priced, append-only transaction per answered call; adjustments with reasons."""

from decimal import Decimal

import pytest
from django.utils import timezone

from billing.ledger import adjustment_create, price, transaction_record, units_for
from billing.models import Transaction
from billing.periods import period_start
from clients.models import Engagement
from common.errors import ApplicationError
from common.models import AuditRecord
from routing.models import Call
from routing.services import call_completed_with
from tests.billing.factories import adjustment_row, answered_call, engaged, ledger_row


def test_it_records_exactly_one_transaction_per_answered_call(alice, acme):
    call = answered_call(alice, acme, talk_seconds=90)
    first, again = transaction_record(call=call), transaction_record(call=call)
    assert first.pk == again.pk
    assert Transaction.objects.filter(call=call).count() == 1
    assert (first.agent_amount, first.client_amount) == (Decimal("28.00"), Decimal("40.00"))


@pytest.mark.parametrize("status", ["voicemail", "abandoned", "in_progress"])
def test_it_records_nothing_for_a_call_that_did_not_complete(alice, acme, status):
    assert transaction_record(call=answered_call(alice, acme, status=status)) is None
    assert not Transaction.objects.exists()


@pytest.mark.parametrize(
    ("unit", "seconds", "units"),
    [("call", 61, 1), ("minute", 60, 1), ("minute", 61, 2), ("minute", 0, 1), ("second", 61, 61)],
)
def test_it_bills_units_by_the_rate_unit(unit, seconds, units):
    assert units_for(unit, seconds) == units


@pytest.mark.parametrize(
    ("unit", "agent", "client"),
    [("call", "3.00", "5.00"), ("minute", "6.00", "10.00"), ("second", "183.00", "305.00")],
)
def test_it_prices_a_call_from_the_engagement_rate_card(alice, acme, unit, agent, client):
    engaged(alice, acme, unit=unit, client_rate="5.00", agent_rate="3.00")
    row = transaction_record(call=answered_call(alice, acme, talk_seconds=61))
    assert (row.agent_amount, row.client_amount) == (Decimal(agent), Decimal(client))
    assert row.agent_amount <= row.client_amount
    assert row.rate_card["unit"] == unit


def test_the_minimum_per_call_applies_to_short_calls(alice, acme):
    engaged(
        alice,
        acme,
        unit="second",
        client_rate="0.10",
        agent_rate="0.05",
        minimum="5.00",
        agent_minimum="3.00",
    )
    row = transaction_record(call=answered_call(alice, acme, talk_seconds=12))
    assert (row.agent_amount, row.client_amount) == (Decimal("3.00"), Decimal("5.00"))


def test_each_line_is_rounded_half_up_to_the_paisa():
    # Rates on an engagement have two decimals, so units x rate is exact there; the rounding
    # rule matters for finer rates, and half up (not banker's) is what the invoice shows.
    exact = {"minimum": Decimal(0), "currency": "INR"}
    assert price(units=1, rate=Decimal("0.125"), **exact) == Decimal("0.13")
    assert price(units=3, rate=Decimal("0.335"), **exact) == Decimal("1.01")  # 1.005


def test_the_rate_card_snapshot_outlives_a_change_of_rates(alice, acme):
    engagement = engaged(alice, acme, client_rate="40.00", agent_rate="28.00")
    row = transaction_record(call=answered_call(alice, acme))
    Engagement.objects.filter(pk=engagement.pk).update(client_rate=99, agent_rate=70)
    row.refresh_from_db()
    assert (row.rate_card["client_rate"], row.rate_card["agent_rate"]) == ("40.00", "28.00")
    assert row.client_amount == Decimal("40.00")
    later = transaction_record(call=answered_call(alice, acme))
    assert later.client_amount == Decimal("99.00")


def test_an_active_engagement_prices_the_call_over_one_ended_today(alice, acme):
    ended = engaged(alice, acme, agent_rate="1.00")
    Engagement.objects.filter(pk=ended.pk).update(status="ended", ends_on=timezone.localdate())
    active = engaged(alice, acme, agent_rate="2.00")
    assert transaction_record(call=answered_call(alice, acme)).engagement_id == active.pk


def test_transactions_and_adjustments_are_append_only(alice, acme, fiona):
    for row in (ledger_row(alice, acme), adjustment_row(agent=alice, amount="5", actor=fiona)):
        with pytest.raises(ValueError, match="append-only"):
            row.save()
        with pytest.raises(ValueError, match="append-only"):
            row.delete()


@pytest.mark.parametrize(
    ("amount", "reason", "sides", "field"),
    [
        ("5", "  ", "agent", "reason"),
        ("0", "Bonus", "agent", "amount"),
        ("0.004", "Bonus", "agent", "amount"),
        ("5", "Bonus", "both", None),
        ("5", "Bonus", "neither", None),
    ],
)
def test_an_adjustment_needs_a_reason_an_amount_and_one_side(
    alice, acme, fiona, amount, reason, sides, field
):
    agent = alice.agent_profile if sides in ("agent", "both") else None
    firm = acme if sides == "both" else None
    with pytest.raises(ApplicationError) as error:
        adjustment_create(
            actor=fiona, amount=Decimal(amount), reason=reason, agent=agent, firm=firm
        )
    assert error.value.field == field


def test_an_adjustment_lands_in_the_open_period_with_an_audit_record(alice, fiona):
    adjustment = adjustment_create(
        actor=fiona, amount=Decimal("-10.005"), reason=" Refund ", agent=alice.agent_profile
    )
    assert (adjustment.amount, adjustment.reason) == (Decimal("-10.01"), "Refund")
    assert adjustment.period == period_start("agents", timezone.localdate())
    assert AuditRecord.objects.about(adjustment).filter(actor=fiona).exists()


def test_a_completed_call_is_recorded_through_the_call_completed_signal(
    alice, acme, django_capture_on_commit_callbacks
):
    call = answered_call(alice, acme, status=Call.Status.IN_PROGRESS)
    with django_capture_on_commit_callbacks(execute=True):
        call_completed_with(call_id=call.pk, duration=125)
    row = Transaction.objects.get(call=call)
    assert (row.units, row.agent, row.firm) == (1, alice.agent_profile, acme)
