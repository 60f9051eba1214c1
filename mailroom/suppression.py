"""The firm's email suppression list (issue 18): addresses no campaign mails again.

An address gets on it four ways: its owner unsubscribes (the one-click link, RFC 8058, or
the provider's own unsubscribe event), the provider reports a bounce or a spam complaint
(mailroom.tracking), or a firm admin adds it by hand. One row per (firm, address), lower case:
the first reason stays. Campaigns starting after that never queue the address (they mark it
SUPPRESSED), and the sender checks the list again just before each send.
"""

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404

from accounts.models import User
from clients.models import ClientFirm
from clients.services import require_firm_admin
from common.audit import audit_log
from common.errors import ApplicationError
from common.models import AuditAction
from mailroom.models import CampaignEmail, EmailCampaign, EmailSuppression

Reason = EmailSuppression.Reason
_valid = EmailValidator()


def suppression_put(
    *, firm_id: int, email: str, reason: str, campaign_email: CampaignEmail | None = None
) -> bool:
    """Put `email` on the firm's list; True when it was not on it before. Safe to call twice
    and from two transactions at once (the unique constraint decides; a savepoint keeps the
    caller's transaction usable when the other one won)."""
    email = (email or "").strip().lower()
    if not email or EmailSuppression.objects.filter(firm_id=firm_id, email=email).exists():
        return False
    try:
        with transaction.atomic():
            EmailSuppression.objects.create(
                firm_id=firm_id, email=email, reason=reason, campaign_email=campaign_email
            )
    except IntegrityError:
        return False
    return True


def is_suppressed(*, firm_id: int, email: str) -> bool:
    return EmailSuppression.objects.filter(firm_id=firm_id, email=email.lower()).exists()


@transaction.atomic
def unsubscribe(*, token) -> CampaignEmail:
    """The one-click unsubscribe of the email whose token this is (public: the token is the
    credential). Idempotent: the address goes on the list once, and the campaign counts one
    unsubscription the first time only. Unknown token → 404."""
    row = CampaignEmail.objects.select_for_update().filter(token=token).first()
    if row is None:
        raise Http404("No such email.")
    unsubscribe_row(row)
    return row


def unsubscribe_row(row: CampaignEmail) -> bool:
    """Suppress `row`'s address as unsubscribed (counted on its campaign when new)."""
    added = suppression_put(
        firm_id=row.firm_id, email=row.email, reason=Reason.UNSUBSCRIBED, campaign_email=row
    )
    if added:
        EmailCampaign.objects.filter(pk=row.campaign_id).update(unsubscribed=F("unsubscribed") + 1)
    return added


@transaction.atomic
def suppression_add(*, actor: User, firm: ClientFirm, email: str) -> EmailSuppression:
    """A firm admin puts an address on the list by hand."""
    require_firm_admin(user=actor, firm=firm)
    email = (email or "").strip().lower()
    try:
        _valid(email)
    except ValidationError:
        raise ApplicationError("That is not an email address.", field="email") from None
    if not suppression_put(firm_id=firm.pk, email=email, reason=Reason.MANUAL):
        raise ApplicationError("That address is already on the list.", field="email")
    entry = EmailSuppression.objects.get(firm=firm, email=email)
    # Never the address in the audit log: the entry's id names it for those who may see it.
    audit_log(actor=actor, action=AuditAction.SUPPRESSION_ADDED, target=entry, channel="email")
    return entry


@transaction.atomic
def suppression_remove(*, actor: User, firm: ClientFirm, pk: int) -> None:
    """A firm admin takes an address off the list (another firm's id: 404)."""
    require_firm_admin(user=actor, firm=firm)
    entry = EmailSuppression.objects.select_for_update().filter(firm=firm, pk=pk).first()
    if entry is None:
        raise Http404("No such address on your list.")
    audit_log(
        actor=actor,
        action=AuditAction.SUPPRESSION_REMOVED,
        target=entry,
        channel="email",
        reason_was=entry.reason,
    )
    entry.delete()
