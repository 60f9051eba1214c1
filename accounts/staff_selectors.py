"""The staff audit viewer's reads: every `common.AuditRecord`, filtered, for the roles that
may read them.

Who sees what (least privilege; the audit log says who looked at whose documents and who took
bank files out, which is itself sensitive): an agency administrator sees every record;
vetting sees its own trail — the agents' vetting, their documents viewed and their bank
details changed (a change sends the identity check back to vetting); finance sees the money
trail — runs, payouts, invoices, adjustments, exports, fee plans, statement queries, TDS, bank
details. Firm administration is the administrators'. An action not named below (a new one)
is shown to administrators only until it is placed here.
"""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from accounts.models import User
from common.dates import local_midnight
from common.errors import require_role
from common.models import AuditAction, AuditRecord

A = AuditAction
BANK = {A.BANK_DETAILS_SET, A.BANK_DETAILS_CHANGED}
PAN = {A.PAN_SET, A.PAN_CHANGED}  # a change reopens the identity check; TDS is withheld on it
# What agents did on calls (issue 16): vetting keeps agents compliant, and a firm's worry is
# who looked at its customers' data.
AGENT_CONDUCT = {A.CONTEXT_VIEWED, A.CALL_TRANSFERRED, A.CALL_SCORED}
AUDIT_SCOPES: dict[str, frozenset[str]] = {
    User.Role.VETTING: frozenset(
        {
            A.SUBMITTED,
            A.CHECK_APPROVED,
            A.CHECK_REJECTED,
            A.CHECK_EXPIRED,
            A.VERIFIED,
            A.REJECTED,
            A.SUSPENDED,
            A.REINSTATED,
            A.PROFILE_CHANGED,
            A.CHECK_REOPENED,
            A.DOCUMENT_VIEWED,
            *BANK,
            *PAN,
            *AGENT_CONDUCT,
            A.MAIL_CONVERSATION_RELEASED,  # vetting watches agents' conduct on email too
        }
    ),
    User.Role.FINANCE: frozenset(
        {
            A.TDS_CHANGED,
            A.RUN_OPENED,
            A.RUN_DONE,
            A.RUN_FAILED,
            A.RUN_RESTARTED,
            A.PAYOUT_APPROVED,
            A.PAYOUT_PAID,
            A.INVOICE_PAID,
            A.ADJUSTMENT,
            A.EXPORT,
            A.EXPORT_DOWNLOADED,
            A.EXPORT_RESTARTED,
            A.FEE_PLAN_SET,
            A.DISPUTE_OPENED,
            A.DISPUTE_FOLLOWED_UP,
            A.DISPUTE_ANSWERED,
            A.DISPUTE_CLOSED,
            A.INVOICE_PDF_DOWNLOADED,
            A.STATEMENT_PDF_DOWNLOADED,
            A.TDS_SUMMARY_DOWNLOADED,
            *BANK,
            *PAN,
        }
    ),
}
# Firms' administration (created, invited, members, API keys) is the administrators' alone.
# Every action is placed in a scope above or here: tests/accounts/test_staff_audit_viewer.py
# fails on a new one placed nowhere (it once left finance blind to the tax papers' records).
ADMIN_ONLY: frozenset[str] = frozenset(
    {
        A.FIRM_CREATED,
        A.FIRM_UPDATED,
        A.INVITE_CREATED,
        A.INVITE_ACCEPTED,
        A.MEMBER_REMOVED,
        A.API_KEY_CREATED,
        A.API_KEY_REVOKED,
        # A firm's workspace settings and its webhooks (issue 16)
        A.LINE_WORKSPACE_SET,
        A.SCRIPT_SAVED,
        A.DISPOSITIONS_CHANGED,
        A.CONTACTS_IMPORTED,
        A.SCORECARD_SAVED,
        A.CALLBACK_UPDATED,
        A.WEBHOOK_CREATED,
        A.WEBHOOK_UPDATED,
        A.WEBHOOK_DELETED,
        A.WEBHOOK_PAUSED,
        A.WEBHOOK_RESUMED,
        A.WEBHOOK_REPLAYED,
        # A firm's outbound campaigns (issue 17)
        A.CAMPAIGN_CREATED,
        A.CAMPAIGN_UPDATED,
        A.CAMPAIGN_AGENTS_SET,
        A.CAMPAIGN_LISTS_SET,
        A.CAMPAIGN_SCHEDULED,
        A.CAMPAIGN_STARTED,
        A.CAMPAIGN_PAUSED,
        A.CAMPAIGN_RESUMED,
        A.CAMPAIGN_COMPLETED,
        # Outbound lists, do-not-call and the registry (issue 17)
        A.OUTBOUND_IMPORT_STARTED,
        A.OUTBOUND_IMPORT_DONE,
        A.OUTBOUND_IMPORT_REFUSED,
        A.OUTBOUND_IMPORT_FAILED,
        A.SUPPRESSION_ADDED,
        A.SUPPRESSION_REMOVED,
        # A firm's email queues, addresses, mailboxes and templates (issue 18)
        A.MAIL_QUEUE_SAVED,
        A.MAIL_ADDRESS_ADDED,
        A.MAIL_ADDRESS_REMOVED,
        A.MAIL_MAILBOX_SAVED,
        A.MAIL_MAILBOX_REMOVED,
        A.MAIL_TEMPLATE_SAVED,
        A.MAIL_TEMPLATE_REMOVED,
        # The agency's franchises and their leads' actions (issue 19)
        A.FRANCHISE_SAVED,
        A.FRANCHISE_MEMBER_ADDED,
        A.FRANCHISE_MEMBER_REMOVED,
        A.TAKEN_OFF_DUTY,
    }
)
# The apps whose rows are audited: the object types the viewer offers.
AUDITED_APPS = (
    "accounts",
    "agents",
    "clients",
    "teams",
    "routing",
    "campaigns",
    "mailroom",
    "billing",
    "common",
)
SYSTEM = "system"  # the actor filter's word for records with no actor (expiries, runs)


def audit_actions_for(viewer: User) -> frozenset[str] | None:
    """The actions `viewer` may read; None is every action (administrators)."""
    if viewer.has_role(User.Role.ADMIN):
        return None
    allowed: set[str] = set()
    for role, actions in AUDIT_SCOPES.items():
        if viewer.has_role(role):
            allowed |= actions
    return frozenset(allowed)


def audited_types() -> QuerySet[ContentType]:
    return ContentType.objects.filter(app_label__in=AUDITED_APPS).order_by("app_label", "model")


def audit_records(
    *,
    viewer: User,
    actor: str = "",
    action: str = "",
    content_type: ContentType | None = None,
    object_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditRecord]:
    """The records `viewer` may read, narrowed by each filter given: the actor's email (or
    "system"), the action, the object (type, and id), local dates from and to (inclusive)."""
    require_role(
        viewer,
        User.Role.VETTING,
        User.Role.FINANCE,
        User.Role.ADMIN,
        message="Only agency staff read the audit log.",
    )
    rows = AuditRecord.objects.select_related("actor", "content_type")
    allowed = audit_actions_for(viewer)
    if allowed is not None:
        rows = rows.filter(action__in=sorted(allowed))
    if actor.strip().lower() == SYSTEM:
        rows = rows.filter(actor__isnull=True)
    elif actor.strip():
        rows = rows.filter(actor__email=actor.strip().lower())  # stored lower-cased, unique
    if action:
        rows = rows.filter(action=action)
    if content_type is not None:
        rows = rows.filter(content_type=content_type)
        if object_id is not None:
            rows = rows.filter(object_id=object_id)
    if date_from is not None:
        rows = rows.filter(created_at__gte=local_midnight(date_from))
    if date_to is not None:
        rows = rows.filter(created_at__lt=local_midnight(date_to + dt.timedelta(days=1)))
    return rows
