"""A handled conversation and a sent campaign email are each one ledger row: written by the
mailroom's signals inside the fact's own transaction, never twice, never without a rate."""

import logging
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from billing.ledger import transaction_record_campaign_email, transaction_record_conversation
from billing.models import Transaction
from mailroom.models import CampaignEmail, Conversation
from mailroom.signals import campaign_email_sent, conversation_handled
from tests.billing.factories import answered_call
from tests.billing.mailrows import (
    email_campaign,
    email_engaged,
    handled_conversation,
    sent_email,
    with_campaign_rate,
)


def test_a_handled_conversation_pays_the_agent_and_charges_the_firm_its_email_rates(alice, acme):
    engagement = email_engaged(alice, acme, client="25.00", agent_rate="15.00")
    conversation = handled_conversation(engagement)
    row = transaction_record_conversation(conversation=conversation)
    assert (row.channel, row.direction, row.units) == ("email", "inbound", 1)
    assert (row.agent_amount, row.client_amount) == (Decimal("15.00"), Decimal("25.00"))
    assert (row.agent.user, row.firm, row.engagement) == (alice, acme, engagement)
    assert row.call is None and row.occurred_at == conversation.handled_at
    assert row.rate_card["client_rate"] == "25.00" and row.rate_card["agent_rate"] == "15.00"
    assert row.activity_label == f"Email conversation · {conversation.queue.name}"


def test_a_sent_campaign_email_charges_the_firm_and_pays_nobody(alice, acme):
    engagement = email_engaged(alice, acme)
    request = with_campaign_rate(engagement.request, "1.50")
    email = sent_email(email_campaign(acme, request=request, name="Renewals"))
    row = transaction_record_campaign_email(email=email)
    assert (row.channel, row.direction, row.agent, row.engagement) == (
        "email",
        "outbound",
        None,
        None,
    )
    assert (row.agent_amount, row.client_amount) == (Decimal(0), Decimal("1.50"))
    assert row.rate_card["request"] == request.pk
    assert row.activity_label == "Campaign email · Renewals"


def test_calling_twice_writes_one_row_each(alice, acme):
    engagement = email_engaged(alice, acme)
    conversation = handled_conversation(engagement)
    request = with_campaign_rate(engagement.request, "1.50")
    email = sent_email(email_campaign(acme, request=request))
    first = transaction_record_conversation(conversation=conversation)
    assert transaction_record_conversation(conversation=conversation) == first
    conversation_handled.send(sender=Conversation, conversation=conversation)
    once = transaction_record_campaign_email(email=email)
    campaign_email_sent.send(sender=CampaignEmail, email=email)
    assert transaction_record_campaign_email(email=email) == once
    assert Transaction.objects.count() == 2


def test_the_signals_write_the_row_inside_the_senders_transaction(alice, acme):
    engagement = email_engaged(alice, acme)
    request = with_campaign_rate(engagement.request, "1.50")
    with transaction.atomic():
        conversation = handled_conversation(engagement)
        conversation_handled.send(sender=Conversation, conversation=conversation)
        email = sent_email(email_campaign(acme, request=request))
        campaign_email_sent.send(sender=CampaignEmail, email=email)
        assert Transaction.objects.filter(conversation=conversation).exists()
        assert Transaction.objects.filter(campaign_email=email).exists()
    assert Transaction.objects.count() == 2


def test_a_rollback_of_the_senders_transaction_leaves_no_row(alice, acme):
    engagement = email_engaged(alice, acme)
    request = with_campaign_rate(engagement.request, "1.50")

    class ReplyFailed(Exception):
        pass

    with pytest.raises(ReplyFailed), transaction.atomic():
        conversation = handled_conversation(engagement)
        conversation_handled.send(sender=Conversation, conversation=conversation)
        email = sent_email(email_campaign(acme, request=request))
        campaign_email_sent.send(sender=CampaignEmail, email=email)
        assert Transaction.objects.count() == 2
        raise ReplyFailed  # e.g. the reply's own write failed after the signal
    assert not Transaction.objects.exists()
    assert not Conversation.objects.exists()


def test_no_row_without_a_rate_and_the_gap_is_logged_once(alice, acme, caplog):
    engagement = email_engaged(alice, acme, client="", agent_rate="")
    request = with_campaign_rate(engagement.request, None)
    campaign = email_campaign(acme, request=request)
    with caplog.at_level(logging.INFO, logger="billing.ledger"):
        for _ in range(2):
            transaction_record_conversation(conversation=handled_conversation(engagement))
            transaction_record_campaign_email(email=sent_email(campaign))
    assert not Transaction.objects.exists()
    messages = [r.getMessage() for r in caplog.records]
    assert (
        messages.count(
            f"Engagement {engagement.pk} has no email rates: its conversations are not billed"
        )
        == 1
    )
    assert (
        messages.count(
            f"Request {request.pk} has no campaign-email rate: its emails are not billed"
        )
        == 1
    )


def test_nothing_for_a_conversation_not_handled_or_an_email_not_sent(alice, acme):
    engagement = email_engaged(alice, acme)
    conversation = handled_conversation(engagement)
    Conversation.objects.filter(pk=conversation.pk).update(
        handled_at=None, handled_by=None, handled_engagement=None
    )
    request = with_campaign_rate(engagement.request, "1.50")
    campaign = email_campaign(acme, request=request)
    assert transaction_record_conversation(conversation=conversation) is None
    for status in ("queued", "suppressed", "failed"):
        assert transaction_record_campaign_email(email=sent_email(campaign, status=status)) is None
    assert not Transaction.objects.exists()


def test_a_conversation_handled_under_another_agents_engagement_is_not_priced(alice, bob, acme):
    engagement = email_engaged(alice, acme)
    conversation = handled_conversation(engagement, agent=bob)
    assert transaction_record_conversation(conversation=conversation) is None


def test_the_database_refuses_a_row_of_two_activities_or_an_agentless_conversation(alice, acme):
    engagement = email_engaged(alice, acme)
    row = transaction_record_conversation(conversation=handled_conversation(engagement))
    call = answered_call(alice, acme)
    fields = {
        f.attname: getattr(row, f.attname)
        for f in Transaction._meta.concrete_fields
        if f.attname not in ("id", "created_at")
    }
    other = handled_conversation(engagement)
    for broken in (
        {"conversation_id": other.pk, "call_id": call.pk},  # two activities
        {"conversation_id": other.pk, "agent_id": None},  # a conversation pays its agent
        {"conversation_id": None, "campaign_email_id": None},  # no activity
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Transaction.objects.create(**{**fields, **broken})
