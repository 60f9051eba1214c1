"""Outbound work on the engagement's rate card: one ledger row per placed attempt, priced per
connected call, per started minute or per attempt; never twice, never for a refused one."""

import logging
from decimal import Decimal

import pytest

from billing.ledger import transaction_record, transaction_record_attempt
from billing.models import Transaction
from campaigns.models import Attempt
from campaigns.signals import attempt_ended
from clients.models import Engagement
from routing.models import Call
from routing.signals import call_completed
from tests.billing.factories import engaged
from tests.factories import PhoneLineFactory, outbound_attempt_factory


def outbound_engaged(agent, firm, *, unit="connect", client="10.00", agent_rate="7.00", **kw):
    """An engagement (on a line of the firm's) with outbound rates of its own."""
    if not firm.lines.exists():
        PhoneLineFactory(firm=firm)
    engagement = engaged(agent, firm, **kw)
    Engagement.objects.filter(pk=engagement.pk).update(
        outbound_rate_unit=unit,
        outbound_client_rate=Decimal(client),
        outbound_agent_rate=Decimal(agent_rate),
    )
    engagement.refresh_from_db()
    return engagement


# (unit, outcome, talk seconds) -> billed units; client 10.00 and agent 7.00 a unit.
CASES = [
    ("connect", "connected", 5, 1),
    ("connect", "connected", 600, 1),
    ("connect", "no_answer", None, 0),
    ("connect", "busy", None, 0),
    ("connect", "machine", None, 0),
    ("minute", "connected", 0, 1),
    ("minute", "connected", 60, 1),
    ("minute", "connected", 61, 2),
    ("minute", "connected", 185, 4),
    ("minute", "no_answer", None, 0),
    ("minute", "failed", None, 0),
    ("attempt", "connected", 185, 1),
    ("attempt", "no_answer", None, 1),
    ("attempt", "busy", None, 1),
    ("attempt", "failed", None, 1),
    ("attempt", "machine", None, 1),
    ("attempt", "opted_out", 20, 1),
    ("attempt", "agent_missed", None, 0),  # the contact was never rung
]


@pytest.mark.parametrize(("unit", "outcome", "talk", "units"), CASES)
def test_each_unit_bills_connected_and_unanswered_attempts_as_agreed(
    alice, acme, unit, outcome, talk, units
):
    engagement = outbound_engaged(alice, acme, unit=unit)
    attempt = outbound_attempt_factory(engagement=engagement, outcome=outcome, talk_seconds=talk)
    row = transaction_record_attempt(attempt=attempt)
    if units == 0:
        assert row is None
        assert not Transaction.objects.exists()
        return
    assert (row.units, row.direction, row.call_id) == (units, "outbound", attempt.call_id)
    assert row.client_amount == Decimal("10.00") * units
    assert row.agent_amount == Decimal("7.00") * units
    assert row.rate_card["direction"] == "outbound"
    assert row.rate_card["unit"] == unit
    assert row.rate_card["campaign"] == attempt.campaign_id
    assert row.occurred_at == attempt.ended_at


def test_outbound_has_no_minimum_per_call(alice, acme):
    engagement = outbound_engaged(
        alice, acme, unit="attempt", client="0.50", agent_rate="0.35", minimum="20.00"
    )
    Engagement.objects.filter(pk=engagement.pk).update(agent_minimum_per_call=Decimal("14.00"))
    attempt = outbound_attempt_factory(engagement=engagement, outcome="no_answer")
    row = transaction_record_attempt(attempt=attempt)
    assert (row.client_amount, row.agent_amount) == (Decimal("0.50"), Decimal("0.35"))


def test_a_refused_attempt_is_never_billed(alice, acme):
    engagement = outbound_engaged(alice, acme, unit="attempt")
    attempt = outbound_attempt_factory(engagement=engagement, outcome="refused")
    assert attempt.call is None
    assert transaction_record_attempt(attempt=attempt) is None
    assert not Transaction.objects.exists()


def test_a_live_attempt_is_not_billed_until_it_ends(alice, acme):
    engagement = outbound_engaged(alice, acme, unit="attempt")
    attempt = outbound_attempt_factory(engagement=engagement, status="connected")
    assert transaction_record_attempt(attempt=attempt) is None
    Attempt.objects.filter(pk=attempt.pk).update(status="ended")
    assert transaction_record_attempt(attempt=attempt) is not None


def test_an_engagement_without_outbound_rates_bills_nothing_and_says_so_once(alice, acme, caplog):
    PhoneLineFactory(firm=acme)
    engagement = engaged(alice, acme)
    caplog.set_level(logging.INFO, logger="billing.ledger")
    for _ in range(3):
        attempt = outbound_attempt_factory(engagement=engagement)
        assert transaction_record_attempt(attempt=attempt) is None
    assert not Transaction.objects.exists()
    said = [r for r in caplog.records if "no outbound rates" in r.getMessage()]
    assert len(said) == 1 and said[0].levelno == logging.INFO


def test_the_signal_sent_twice_records_one_transaction(alice, acme):
    attempt = outbound_attempt_factory(engagement=outbound_engaged(alice, acme))
    attempt_ended.send(sender=Attempt, attempt=attempt)
    attempt_ended.send(sender=Attempt, attempt=attempt)
    assert Transaction.objects.filter(call=attempt.call).count() == 1


@pytest.mark.parametrize("routing_first", [True, False])
def test_routing_completing_the_outbound_call_does_not_bill_it_again(alice, acme, routing_first):
    engagement = outbound_engaged(alice, acme, unit="minute")
    Engagement.objects.filter(pk=engagement.pk).update(
        rate_unit="call", client_rate=Decimal("99.00"), agent_rate=Decimal("70.00")
    )
    attempt = outbound_attempt_factory(engagement=engagement, talk_seconds=125)
    assert attempt.call.status == Call.Status.COMPLETED  # routing would bill an inbound one
    signals = [
        lambda: call_completed.send(sender=Call, call=attempt.call),
        lambda: attempt_ended.send(sender=Attempt, attempt=attempt),
    ]
    for send in signals if routing_first else reversed(signals):
        send()
    row = Transaction.objects.get()
    # Priced once, on the outbound rate (3 started minutes at 10.00), not the inbound 99.00.
    assert (row.direction, row.units, row.client_amount) == ("outbound", 3, Decimal("30.00"))
    assert transaction_record(call=attempt.call).pk == row.pk  # asked again: the same row


def test_an_attempt_is_priced_by_its_own_engagement_only(alice, bob, acme):
    engagement = outbound_engaged(alice, acme)
    attempt = outbound_attempt_factory(engagement=engagement)
    others = outbound_engaged(bob, acme, request=engagement.request)
    Attempt.objects.filter(pk=attempt.pk).update(engagement=others)  # not alice's
    assert transaction_record_attempt(attempt=attempt) is None


def test_an_attempt_without_its_engagement_is_priced_by_its_calls(alice, acme):
    engagement = outbound_engaged(alice, acme)
    attempt = outbound_attempt_factory(engagement=engagement)
    Attempt.objects.filter(pk=attempt.pk).update(engagement=None)
    assert transaction_record_attempt(attempt=attempt).engagement_id == engagement.pk
