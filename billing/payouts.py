"""Finance's actions: approve payouts, mark payouts and invoices paid, audit exports.

Each decision is taken on rows locked and re-read inside the transaction (two finance users
may press the same button), and each change leaves an audit record (`common.audit`).
"""

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from agents.models import VerificationCheck
from billing import notices
from billing.models import Invoice, Payout, PayoutExport
from common.audit import audit_log
from common.errors import ApplicationError, ConflictError
from common.models import AuditAction, AuditRecord


@transaction.atomic
def payout_approve(*, actor: User, payout_ids: Iterable[int]) -> list[Payout]:
    """Approve the draft payouts among `payout_ids`; others (already approved, paid) are
    left alone, and so are payouts held for review: the agent's identity check is back in
    review (new bank details or a new name, agents.services.checks_reopen), so no money goes
    to an account nobody has checked. Returns the payouts this call approved."""
    ids = sorted({int(pk) for pk in payout_ids})
    if not ids:
        raise ApplicationError("Choose the payouts to approve.", field="payout")
    now = timezone.now()
    # Locked in id order: two bulk approvals over overlapping sets cannot deadlock, and
    # the second one sees the first's approvals (and skips them) when it gets the rows.
    held = VerificationCheck.objects.filter(
        agent=OuterRef("agent"),
        kind=VerificationCheck.Kind.IDENTITY,
        status=VerificationCheck.Status.PENDING,
    )
    payouts = list(
        Payout.objects.select_for_update()
        .filter(pk__in=ids, status=Payout.Status.DRAFT)
        .exclude(Exists(held))
        .order_by("pk")
    )
    for payout in payouts:
        payout.status, payout.approved_by, payout.approved_at = Payout.Status.APPROVED, actor, now
        payout.save(update_fields=["status", "approved_by", "approved_at"])
        audit_log(
            actor=actor,
            action=AuditAction.PAYOUT_APPROVED,
            target=payout,
            before={"status": Payout.Status.DRAFT},
            after={"status": payout.status},
            net=str(payout.net),
            currency=payout.currency,
        )
    return payouts


@transaction.atomic
def payout_mark_paid(*, actor: User, payout_id: int) -> Payout:
    """approved -> paid: the bank has executed the transfer."""
    payout = Payout.objects.select_for_update().get(pk=payout_id)
    if payout.status != Payout.Status.APPROVED:
        raise ConflictError(
            f"Only an approved payout can be marked paid; this one is "
            f"{payout.get_status_display().lower()}."
        )
    payout.status, payout.paid_at = Payout.Status.PAID, timezone.now()
    payout.save(update_fields=["status", "paid_at"])
    audit_log(
        actor=actor,
        action=AuditAction.PAYOUT_PAID,
        target=payout,
        before={"status": Payout.Status.APPROVED},
        after={"status": payout.status},
        net=str(payout.net),
        currency=payout.currency,
    )
    notices.payout_paid(payout=payout)
    return payout


@transaction.atomic
def invoice_mark_paid(*, actor: User, invoice_id: int) -> Invoice:
    """issued -> paid: the firm's payment has arrived."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
    if invoice.status != Invoice.Status.ISSUED:
        raise ConflictError("This invoice is already marked paid.")
    invoice.status = Invoice.Status.PAID
    invoice.save(update_fields=["status"])
    audit_log(
        actor=actor,
        action=AuditAction.INVOICE_PAID,
        target=invoice,
        before={"status": Invoice.Status.ISSUED},
        after={"status": invoice.status},
        total=str(invoice.total),
        currency=invoice.currency,
    )
    return invoice


def export_audit(
    *, actor: User, export: PayoutExport, total: Decimal, repeated: int = 0
) -> AuditRecord:
    """Who took which bank data out, and how much: written before the file is streamed.
    The record's object is the run exported, or none for an export across all runs. A bank
    file that repeats payouts already in one keeps finance's reason."""
    return audit_log(
        actor=actor,
        action=AuditAction.EXPORT,
        target=export.run,
        reason=export.reason,
        format=export.kind,
        count=export.count,
        total=str(total),
        run=export.run_id,
        export=export.pk,
        msg_id=export.msg_id,
        left_out=len(export.left_out),
        repeated=repeated,
    )
