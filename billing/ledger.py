"""Writing the ledger: one transaction per answered call, adjustments, the audit trail."""

import math
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from agents.models import AgentProfile
from billing.models import Adjustment, SettlementRun, Transaction
from billing.periods import open_period, periods_lock_shared
from clients.models import ClientFirm, Engagement, RateUnit
from clients.selectors import engagement_covering
from common.audit import audit_log
from common.errors import ApplicationError
from common.limits import field_check
from common.models import AuditAction
from common.money import quantize
from routing.models import Call

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
    """Exactly one transaction for an answered, completed call. Safe to call again."""
    existing = Transaction.objects.filter(call=call).first()
    if existing is not None:
        return existing
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
    periods_lock_shared()  # a run claimed meanwhile would otherwise miss this row
    day = timezone.localdate(call.ended_at)
    try:
        with transaction.atomic():
            return Transaction.objects.create(
                agent_period=open_period(Kind.AGENTS, day),
                firm_period=open_period(Kind.FIRMS, day),
                call=call,
                engagement=engagement,
                agent_id=call.agent_id,
                firm_id=call.firm_id,
                currency=currency,
                units=units,
                rate_card=rate_card,
                occurred_at=call.ended_at,
                agent_amount=price(
                    units=units,
                    rate=engagement.agent_rate,
                    minimum=engagement.agent_minimum_per_call,
                    currency=currency,
                ),
                client_amount=price(
                    units=units,
                    rate=engagement.client_rate,
                    minimum=engagement.minimum_per_call,
                    currency=currency,
                ),
            )
    except IntegrityError:
        existing = Transaction.objects.filter(call=call).first()
        if existing is None:
            raise  # not a concurrent duplicate: a broken rule, say so loudly
        return existing  # recorded concurrently (the signal and a retry): the same row


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
