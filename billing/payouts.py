"""Finance's actions: start a run, approve payouts, mark payouts and invoices paid, audit exports.

Each decision is taken on rows locked and re-read inside the transaction (two finance users
may press the same button), and each change leaves an audit record (`common.audit`).
"""

import uuid
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from billing.models import Invoice, Payout, SettlementRun
from billing.tasks import settlement_execute_task
from common.audit import audit_log
from common.enqueue import enqueue
from common.errors import ApplicationError, ConflictError
from common.models import AuditAction, AuditRecord


def run_start(*, run: SettlementRun) -> None:
    """Queue the run's execution. The task id is stored before the task is sent: run_execute
    saves the whole run row, so a task id written here while a worker already holds the row
    would be lost (and the page could not ask Celery for the task's progress).

    With the broker down: ServiceUnavailableError, in seconds; the run stays pending (and
    starting it again sends it then)."""
    task_id = str(uuid.uuid4())
    SettlementRun.objects.filter(pk=run.pk).update(task_id=task_id)
    run.task_id = task_id
    enqueue(
        settlement_execute_task,
        args=(run.pk,),
        task_id=task_id,
        message="The task queue is unavailable, so the run has not started. It is saved as "
        "pending: start it again in a minute.",
    )


@transaction.atomic
def payout_approve(*, actor: User, payout_ids: Iterable[int]) -> list[Payout]:
    """Approve the draft payouts among `payout_ids`; others (already approved, paid) are
    left alone. Returns the payouts this call approved."""
    ids = sorted({int(pk) for pk in payout_ids})
    if not ids:
        raise ApplicationError("Choose the payouts to approve.", field="payout")
    now = timezone.now()
    # Locked in id order: two bulk approvals over overlapping sets cannot deadlock, and
    # the second one sees the first's approvals (and skips them) when it gets the rows.
    payouts = list(
        Payout.objects.select_for_update()
        .filter(pk__in=ids, status=Payout.Status.DRAFT)
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
    *, actor: User, format: str, count: int, total: Decimal, run: SettlementRun | None
) -> AuditRecord:
    """Who took which bank data out, and how much: written before the file is streamed.
    The record's object is the run exported, or none for an export across all runs."""
    return audit_log(
        actor=actor,
        action=AuditAction.EXPORT,
        target=run,
        format=format,
        count=count,
        total=str(total),
        run=run.pk if run else None,
    )
