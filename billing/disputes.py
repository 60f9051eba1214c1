"""Statement queries ("disputes"): an agent asks about a line of their statement, or the
statement as a whole; finance answers with a reply or with an adjustment.

Payday is the payout's `paid` state (draft -> approved -> paid, billing.payouts): an agent
may query, and write again, while their payout is a draft or approved, never once it is paid.
Finance may still answer a query left open at payday (an adjustment lands in the next period
either way, as every adjustment does).

The money path stays one: an adjustment is `billing.ledger.adjustment_create`, the same as
the payout page's form, linked to the query's line and recorded in the thread.
Lock order everywhere: the payout, then the query — `payout_mark_paid` locks the payout too,
so a query cannot slip in while the payout is being marked paid.
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from billing.ledger import adjustment_create
from billing.models import Dispute, DisputeMessage, Payout, Transaction
from billing.selectors import payout_transactions
from common.audit import audit_log
from common.errors import ApplicationError, ConflictError, NotAllowed, require_role
from common.limits import field_check
from common.models import AuditAction

Status, Kind = Dispute.Status, DisputeMessage.Kind


def _body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ApplicationError("Write your message.", field="body")
    return field_check(DisputeMessage, "body", body)  # its length and characters


def _agents_payout(actor: User, payout_id: int) -> Payout:
    """The actor's own payout, locked; another agent's is refused like one that is not there."""
    require_role(actor, User.Role.AGENT, message="Only the agent can query their statement.")
    payout = (
        Payout.objects.select_for_update()
        .select_related("run")
        .filter(pk=payout_id, agent__user=actor)
        .first()
    )
    if payout is None:
        raise NotAllowed("This statement is not yours.")
    if payout.status == Payout.Status.PAID:
        raise ConflictError(
            f"This statement was paid on {timezone.localdate(payout.paid_at):%d %b %Y}: queries "
            "close on payday. Anything still wrong is corrected by finance on a later statement."
        )
    return payout


def _message(dispute: Dispute, author: User, kind: str, body: str, **extra) -> DisputeMessage:
    now = timezone.now()
    dispute.updated_at = now
    return DisputeMessage.objects.create(
        dispute=dispute, author=author, kind=kind, body=body, created_at=now, **extra
    )


@transaction.atomic
def dispute_open(
    *, actor: User, payout_id: int, body: str, transaction_id: int | None = None
) -> Dispute:
    """The agent queries one line of their statement (`transaction_id`) or all of it."""
    payout = _agents_payout(actor, payout_id)
    body = _body(body)
    line: Transaction | None = None
    if transaction_id is not None:
        line = payout_transactions(payout=payout).filter(pk=transaction_id).first()
        if line is None:
            raise ApplicationError("Choose a line of this statement.", field="line")
    live = Dispute.objects.filter(payout=payout, transaction=line, status__in=Dispute.LIVE)
    if live.exists():
        raise ConflictError(
            "You have already queried this "
            + ("line" if line else "statement")
            + ": write in that query's thread instead."
        )
    try:
        with transaction.atomic():  # the constraint catches a second tab's query
            dispute = Dispute.objects.create(payout=payout, transaction=line, opened_by=actor)
    except IntegrityError as error:
        raise ConflictError("This line already has a query waiting.") from error
    message = _message(dispute, actor, Kind.QUERY, body)
    audit_log(
        actor=actor,
        action=AuditAction.DISPUTE_OPENED,
        target=dispute,
        payout=payout.pk,
        transaction=line.pk if line else None,
        message=message.pk,
    )
    return dispute


@transaction.atomic
def dispute_follow_up(*, actor: User, dispute_id: int, body: str) -> Dispute:
    """The agent writes again in their own query's thread; it waits for finance again."""
    found = Dispute.objects.filter(pk=dispute_id, payout__agent__user=actor).first()
    if found is None:
        require_role(actor, User.Role.AGENT, message="Only the agent can query their statement.")
        raise NotAllowed("This query is not yours.")
    _agents_payout(actor, found.payout_id)  # locks the payout first (see the module)
    dispute = Dispute.objects.select_for_update().get(pk=found.pk)
    if dispute.status == Status.CLOSED:
        raise ConflictError("This query is closed: open a new one if something is still wrong.")
    body = _body(body)
    before = dispute.status
    message = _message(dispute, actor, Kind.QUERY, body)
    dispute.status = Status.OPEN
    dispute.save(update_fields=["status", "updated_at"])
    audit_log(
        actor=actor,
        action=AuditAction.DISPUTE_FOLLOWED_UP,
        target=dispute,
        before={"status": before},
        after={"status": dispute.status},
        message=message.pk,
    )
    return dispute


@transaction.atomic
def dispute_answer(
    *,
    actor: User,
    dispute_id: int,
    body: str,
    amount: Decimal | None = None,
    close: bool = False,
) -> Dispute:
    """Finance answers: a reply (the query is answered, or closed with `close`), or an
    adjustment of `amount` to the agent's next payout, which closes the query."""
    require_role(actor, User.Role.FINANCE, message="Only finance answers statement queries.")
    payout_id = Dispute.objects.filter(pk=dispute_id).values_list("payout_id", flat=True).first()
    if payout_id is None:
        raise ApplicationError("There is no such query.")
    payout = Payout.objects.select_for_update().select_related("agent").get(pk=payout_id)
    dispute = Dispute.objects.select_for_update().get(pk=dispute_id)
    if dispute.status == Status.CLOSED:
        raise ConflictError("This query is already closed.")
    body = _body(body)
    before = dispute.status
    adjustment = None
    if amount is not None:
        adjustment = adjustment_create(
            actor=actor,
            amount=amount,
            reason=f"Statement query {dispute.pk}: {body}"[:500],
            agent=payout.agent,
            currency=payout.currency,
            transaction_id=dispute.transaction_id,
        )
        message = _message(dispute, actor, Kind.ADJUSTMENT, body, adjustment=adjustment)
    else:
        message = _message(dispute, actor, Kind.REPLY, body)
    closing = adjustment is not None or close
    dispute.status = Status.CLOSED if closing else Status.ANSWERED
    dispute.closed_at = dispute.updated_at if closing else None
    dispute.save(update_fields=["status", "updated_at", "closed_at"])
    detail = {"message": message.pk}
    if adjustment is not None:
        detail |= {"adjustment": adjustment.pk, "amount": str(adjustment.amount)}
    audit_log(
        actor=actor,
        action=AuditAction.DISPUTE_CLOSED if closing else AuditAction.DISPUTE_ANSWERED,
        target=dispute,
        before={"status": before},
        after={"status": dispute.status},
        currency=payout.currency,
        **detail,
    )
    return dispute
