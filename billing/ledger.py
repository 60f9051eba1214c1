"""Writing the ledger: one transaction per answered call, placed outbound attempt, handled
email conversation or sent campaign email; adjustments; the audit trail."""

import logging
import math
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from agents.models import AgentProfile
from billing.models import Adjustment, Channel, SettlementRun, Transaction
from billing.periods import open_period, periods_lock_shared
from campaigns.models import Attempt
from clients.models import ClientFirm, Engagement, OutboundRateUnit, RateUnit
from clients.selectors import engagement_covering
from common.audit import audit_log
from common.errors import ApplicationError
from common.limits import field_check
from common.models import AuditAction
from common.money import quantize
from mailroom.models import CampaignEmail, Conversation
from routing.models import Call

logger = logging.getLogger(__name__)
Kind = SettlementRun.Kind


def units_for(unit: str, talk_seconds: int) -> int:
    """Billed units of a call: 1 per call, started minutes, or seconds."""
    if unit == RateUnit.PER_CALL:
        return 1
    if unit == RateUnit.PER_MINUTE:
        return max(1, math.ceil(talk_seconds / 60))
    return max(1, talk_seconds)


def price(*, units: int, rate: Decimal, minimum: Decimal, currency: str) -> Decimal:
    """units x rate, at least the minimum per call, rounded half up to the minor unit."""
    return quantize(max(Decimal(units) * rate, minimum), currency)


def _amounts(
    *,
    units: int,
    currency: str,
    agent_rate: Decimal,
    client_rate: Decimal,
    agent_minimum: Decimal = Decimal(0),
    client_minimum: Decimal = Decimal(0),
) -> dict:
    """A row's two amounts, each `price`d (outbound and email rates have no minimum)."""
    return {
        "agent_amount": price(
            units=units, rate=agent_rate, minimum=agent_minimum, currency=currency
        ),
        "client_amount": price(
            units=units, rate=client_rate, minimum=client_minimum, currency=currency
        ),
    }


# Rate cards already logged as pricing nothing, by the rate missing and the engagement's or
# request's id: once each per process — a campaign worked under one makes thousands of attempts.
_unpriced_logged: set[tuple[str, int]] = set()


def _unpriced_once(kind: str, pk: int, message: str) -> None:
    if (kind, pk) not in _unpriced_logged:
        _unpriced_logged.add((kind, pk))
        logger.info(message, pk)


def _engagement_for(call: Call) -> Engagement | None:
    """The engagement the call was offered under: the one routing recorded on the call when
    it reserved the agent (the one covering the call's line then). A call without one (offered
    before routing recorded it) is priced by the engagement that covers its line at the moment
    it was offered — never by another of the agent's engagements with the firm: that one's
    rate is not the one agreed for this line, and its request is not this work's."""
    if call.engagement_id is not None and call.engagement.agent_id == call.agent_id:
        return call.engagement
    return engagement_covering(
        agent=call.agent_id, line=call.line_id, at=call.offered_at or call.answered_at
    )


@transaction.atomic
def transaction_record(*, call: Call) -> Transaction | None:
    """Exactly one transaction for an answered, completed inbound call. Safe to call again.

    An outbound call (a campaign's attempt) is not priced here, even when routing reports it
    completed: its attempt is, on the engagement's outbound rates (`transaction_record_attempt`,
    on campaigns' `attempt_ended`) — one row per call either way (Transaction.call is unique)."""
    existing = Transaction.objects.filter(call=call).first()
    if existing is not None:
        return existing
    if call.direction == Call.Direction.OUTBOUND:
        return None
    if call.status != Call.Status.COMPLETED or call.talk_seconds is None or not call.agent_id:
        return None
    engagement = _engagement_for(call)
    if engagement is None:
        return None  # routed without an engagement cannot happen; nothing to price by
    units = units_for(engagement.rate_unit, call.talk_seconds)
    currency = engagement.currency
    rate_card = {
        "unit": engagement.rate_unit,
        "currency": currency,
        "client_rate": str(engagement.client_rate),
        "agent_rate": str(engagement.agent_rate),
        "minimum_per_call": str(engagement.minimum_per_call),
        "agent_minimum_per_call": str(engagement.agent_minimum_per_call),
        "engagement": engagement.pk,
    }
    return _written(
        call=call,
        engagement=engagement,
        agent_id=call.agent_id,
        firm_id=call.firm_id,
        currency=currency,
        direction=Call.Direction.INBOUND,
        units=units,
        rate_card=rate_card,
        occurred_at=call.ended_at,
        **_amounts(
            units=units,
            currency=currency,
            agent_rate=engagement.agent_rate,
            client_rate=engagement.client_rate,
            agent_minimum=engagement.agent_minimum_per_call,
            client_minimum=engagement.minimum_per_call,
        ),
    )


# The columns naming a row's activity: each unique, exactly one set (billing_tx_one_activity).
_ACTIVITIES = ("call", "conversation", "campaign_email")


def _written(*, occurred_at, **row) -> Transaction:
    """The row, in the periods open for its date; the one already there if a concurrent
    writer (the signal and a retry) recorded this activity first."""
    key = {name: row[name] for name in _ACTIVITIES if name in row}
    periods_lock_shared()  # a run claimed meanwhile would otherwise miss this row
    day = timezone.localdate(occurred_at)
    try:
        with transaction.atomic():
            return Transaction.objects.create(
                agent_period=open_period(Kind.AGENTS, day),
                firm_period=open_period(Kind.FIRMS, day),
                occurred_at=occurred_at,
                **row,
            )
    except IntegrityError:
        existing = Transaction.objects.filter(**key).first()
        if existing is None:
            raise  # not a concurrent duplicate: a broken rule, say so loudly
        return existing  # recorded concurrently (the signal and a retry): the same row


# Attempts that end with none of these never rang the contact: the portal rang the agent's
# phone first and they did not answer. Neither the firm pays nor the agent earns for them,
# whatever the unit (the "per attempt" rate is for trying the firm's contact).
_NOT_TRIED = frozenset({Attempt.Outcome.REFUSED, Attempt.Outcome.AGENT_MISSED})


def attempt_connected(attempt: Attempt) -> bool:
    """The contact answered (and talked with the agent)."""
    return attempt.connected_at is not None or attempt.outcome == Attempt.Outcome.CONNECTED


def attempt_talk_seconds(attempt: Attempt) -> int:
    """Talk with the contact: the attempt's own figure, else its call's, else from the times."""
    for seconds in (attempt.talk_seconds, attempt.call.talk_seconds if attempt.call else None):
        if seconds is not None:
            return seconds
    if attempt.connected_at and attempt.ended_at:
        return max(0, int((attempt.ended_at - attempt.connected_at).total_seconds()))
    return 0


def outbound_units_for(unit: str, attempt: Attempt) -> int:
    """Billed units of a placed attempt: 1 if the contact answered (per connect), the started
    minutes of talk if they did (per minute: a connected call has begun its first minute,
    as an inbound call's), 1 for every attempt that rang the contact (per attempt)."""
    connected = attempt_connected(attempt)
    if unit == OutboundRateUnit.PER_CONNECT:
        return 1 if connected else 0
    if unit == OutboundRateUnit.PER_MINUTE:
        return max(1, math.ceil(attempt_talk_seconds(attempt) / 60)) if connected else 0
    return 0 if attempt.outcome in _NOT_TRIED else 1


@transaction.atomic
def transaction_record_attempt(*, attempt: Attempt) -> Transaction | None:
    """At most one transaction for a placed outbound attempt that has ended, priced by its
    engagement's outbound rates (no minimum per call: outbound rates are per unit only).
    Nothing for an attempt refused by the consent check (never placed), one still live, one
    whose unit bills nothing (unanswered, per connect or per minute), or an engagement with
    no outbound rate. Safe to call again: the row is the attempt's call's."""
    # As committed with its end, not as the sender's copy holds it (one read by its key).
    attempt = Attempt.objects.select_related("engagement", "call__engagement").get(pk=attempt.pk)
    if attempt.call_id is None or attempt.status != Attempt.Status.ENDED:
        return None
    existing = Transaction.objects.filter(call_id=attempt.call_id).first()
    if existing is not None:
        return existing
    # The engagement the dialer placed it under (the campaign agent's), else the call's.
    engagement = attempt.engagement or attempt.call.engagement
    if engagement is None or engagement.agent_id != attempt.agent_id:
        logger.warning("Attempt %s has no engagement of its agent: not priced", attempt.pk)
        return None
    if engagement.outbound_client_rate is None or engagement.outbound_agent_rate is None:
        _unpriced_once(
            "outbound",
            engagement.pk,
            "Engagement %s has no outbound rates: its attempts are not billed",
        )
        return None
    unit = engagement.outbound_rate_unit
    units = outbound_units_for(unit, attempt)
    if units == 0:
        return None
    currency = engagement.currency
    rate_card = {
        "direction": Call.Direction.OUTBOUND.value,
        "unit": unit,
        "currency": currency,
        "client_rate": str(engagement.outbound_client_rate),
        "agent_rate": str(engagement.outbound_agent_rate),
        "engagement": engagement.pk,
        "campaign": attempt.campaign_id,
        "attempt": attempt.pk,
        "outcome": attempt.outcome,
    }
    return _written(
        call=attempt.call,
        engagement=engagement,
        agent_id=attempt.call.agent_id,
        firm_id=attempt.call.firm_id,
        currency=currency,
        direction=Call.Direction.OUTBOUND,
        units=units,
        rate_card=rate_card,
        occurred_at=attempt.ended_at or attempt.call.ended_at or timezone.now(),
        **_amounts(
            units=units,
            currency=currency,
            agent_rate=engagement.outbound_agent_rate,
            client_rate=engagement.outbound_client_rate,
        ),
    )


@transaction.atomic
def transaction_record_conversation(*, conversation: Conversation) -> Transaction | None:
    """At most one transaction for a handled conversation (its first reply sent): the agent
    who sent it paid the engagement's email_agent_rate, the firm charged its
    email_client_rate — one unit, no minimum. Nothing for a conversation not handled, one
    handled under no engagement of that agent's, or an engagement with no email rate. Safe
    to call again: the row is the conversation's."""
    # As the reply's transaction wrote it, not as the sender's copy holds it.
    conversation = Conversation.objects.select_related("handled_engagement").get(pk=conversation.pk)
    if conversation.handled_at is None or conversation.handled_by_id is None:
        return None
    existing = Transaction.objects.filter(conversation=conversation).first()
    if existing is not None:
        return existing
    engagement = conversation.handled_engagement
    if engagement is None or engagement.agent_id != conversation.handled_by_id:
        logger.warning(
            "Conversation %s has no engagement of its agent: not priced", conversation.pk
        )
        return None
    if engagement.email_client_rate is None or engagement.email_agent_rate is None:
        _unpriced_once(
            "email",
            engagement.pk,
            "Engagement %s has no email rates: its conversations are not billed",
        )
        return None
    currency = engagement.currency
    rate_card = {
        "channel": Channel.EMAIL.value,
        "direction": Call.Direction.INBOUND.value,
        "unit": "conversation",
        "currency": currency,
        "client_rate": str(engagement.email_client_rate),
        "agent_rate": str(engagement.email_agent_rate),
        "engagement": engagement.pk,
        "queue": conversation.queue_id,
    }
    return _written(
        conversation=conversation,
        engagement=engagement,
        agent_id=conversation.handled_by_id,
        firm_id=conversation.firm_id,
        currency=currency,
        channel=Channel.EMAIL,
        direction=Call.Direction.INBOUND,
        units=1,
        rate_card=rate_card,
        occurred_at=conversation.handled_at,
        **_amounts(
            units=1,
            currency=currency,
            agent_rate=engagement.email_agent_rate,
            client_rate=engagement.email_client_rate,
        ),
    )


# A campaign email in one of these never left (or is not known to have): nothing is billed.
_NOT_SENT = frozenset(
    {CampaignEmail.Status.QUEUED, CampaignEmail.Status.SUPPRESSED, CampaignEmail.Status.FAILED}
)


@transaction.atomic
def transaction_record_campaign_email(*, email: CampaignEmail) -> Transaction | None:
    """At most one transaction for a sent campaign email: the firm charged its campaign's
    request's campaign_email_rate, one unit. No agent's work: nobody is paid (agent and
    engagement none, agent_amount 0). Nothing for an email not sent, or a request with no
    campaign-email rate. Safe to call again: the row is the email's."""
    email = CampaignEmail.objects.select_related("campaign__request").get(pk=email.pk)
    if email.status in _NOT_SENT:
        return None
    existing = Transaction.objects.filter(campaign_email=email).first()
    if existing is not None:
        return existing
    request = email.campaign.request
    if request.campaign_email_rate is None:
        _unpriced_once(
            "campaign email",
            request.pk,
            "Request %s has no campaign-email rate: its emails are not billed",
        )
        return None
    currency = request.currency
    rate_card = {
        "channel": Channel.EMAIL.value,
        "direction": Call.Direction.OUTBOUND.value,
        "unit": "email",
        "currency": currency,
        "client_rate": str(request.campaign_email_rate),
        "agent_rate": "0",
        "request": request.pk,
        "campaign": email.campaign_id,
    }
    return _written(
        campaign_email=email,
        engagement=None,
        agent_id=None,
        firm_id=email.firm_id,
        currency=currency,
        channel=Channel.EMAIL,
        direction=Call.Direction.OUTBOUND,
        units=1,
        rate_card=rate_card,
        occurred_at=email.sent_at or timezone.now(),
        **_amounts(
            units=1,
            currency=currency,
            agent_rate=Decimal(0),
            client_rate=request.campaign_email_rate,
        ),
    )


@transaction.atomic
def adjustment_create(
    *,
    actor: User,
    amount: Decimal,
    reason: str,
    agent: AgentProfile | None = None,
    firm: ClientFirm | None = None,
    currency: str = "",
    transaction_id: int | None = None,
) -> Adjustment:
    """A correction with a reason; it lands in the next payout (agent) or invoice (firm)."""
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Give the reason for the adjustment.", field="reason")
    if (agent is None) == (firm is None):
        raise ApplicationError("Adjust either an agent's payout or a firm's invoice.")
    if amount is None or amount == 0:
        raise ApplicationError("The amount cannot be zero.", field="amount")
    currency = currency or (firm.currency if firm else "INR")
    amount = quantize(amount, currency)
    if amount == 0:
        raise ApplicationError("The amount rounds to zero.", field="amount")
    amount = field_check(Adjustment, "amount", amount)  # its range (the model's)
    periods_lock_shared()
    kind = Kind.AGENTS if agent else Kind.FIRMS
    adjustment = Adjustment.objects.create(
        period=open_period(kind, timezone.localdate()),
        agent=agent,
        firm=firm,
        currency=currency,
        amount=amount,
        reason=reason,
        actor=actor,
        transaction_id=transaction_id,
    )
    audit_log(
        actor=actor,
        action=AuditAction.ADJUSTMENT,
        target=adjustment,
        reason=reason,
        amount=str(amount),
        currency=currency,
        agent=agent.pk if agent else None,
        firm=firm.pk if firm else None,
    )
    return adjustment
