"""Complete-BPO firms' fixed-fee plans, set by finance (the plan page, billing.staff_views).

A plan is read by each firms' run when it executes, so a change applies to every period not
yet invoiced and to none already invoiced: an issued invoice keeps its own total and lines.
`fee_plan_applies_from` names that first period, for the page and the plan's `applies_from`.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from billing.models import FixedFeePlan, SettlementRun
from billing.selectors import fee_plan_applies_from
from clients.models import ClientFirm
from common.audit import audit_log
from common.errors import ApplicationError, require_role
from common.limits import instance_check
from common.models import AuditAction
from common.money import quantize

TERMS = ("fee", "included_calls", "overage_per_call", "currency")


def _terms(plan: FixedFeePlan | None) -> dict | None:
    if plan is None:
        return None
    return {name: None if (v := getattr(plan, name)) is None else str(v) for name in TERMS}


@transaction.atomic
def fee_plan_set(
    *,
    actor: User,
    firm: ClientFirm,
    fee: Decimal,
    included_calls: int | None,
    overage_per_call: Decimal,
    currency: str,
) -> FixedFeePlan:
    """Create or change `firm`'s plan; `included_calls` None is unlimited (no overage)."""
    require_role(actor, User.Role.FINANCE, message="Only finance sets fixed-fee plans.")
    firm = ClientFirm.objects.select_for_update().get(pk=firm.pk)
    if firm.engagement_type != ClientFirm.EngagementType.COMPLETE:
        raise ApplicationError(
            f"{firm} is a partial-BPO firm: it is billed per activity and cannot have a "
            "fixed-fee plan. Only complete-BPO firms pay a fixed fee."
        )
    # A firms' run executing now reads the plan in several statements (the invoice, then its
    # lines): wait for it to commit, so every run reads one version of the terms.
    list(
        SettlementRun.objects.select_for_update()
        .filter(kind=SettlementRun.Kind.FIRMS, closed_at__isnull=False)
        .exclude(status=SettlementRun.Status.DONE)
        .values_list("pk", flat=True)
    )
    plan = FixedFeePlan.objects.select_for_update().filter(firm=firm).first()
    before = _terms(plan)
    plan = plan or FixedFeePlan(firm=firm)
    plan.currency, plan.included_calls = currency, included_calls
    # Quantised first, so that "90000" and the stored 90000.00 are the same terms.
    plan.fee = quantize(fee, currency)
    # Unlimited calls have nothing beyond them to charge for.
    overage = Decimal(0) if included_calls is None else overage_per_call
    plan.overage_per_call = quantize(overage, currency)
    instance_check(plan, exclude=["firm", "updated_by"])  # the model's ranges and choices
    after = _terms(plan)
    if after == before:
        return plan  # nothing changed: no new record, the terms' first period stays
    plan.applies_from = fee_plan_applies_from()
    plan.updated_by, plan.updated_at = actor, timezone.now()
    plan.save()
    audit_log(
        actor=actor,
        action=AuditAction.FEE_PLAN_SET,
        target=firm,
        before=before,
        after=after,
        applies_from=plan.applies_from.isoformat(),
    )
    return plan
