"""The append-only base and the one audit log every app writes (`common.audit.audit_log`).

`common` imports no other app: the audit record names its object by content type and id,
so any app's rows can be audited without this module knowing them.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk UPDATE and DELETE would bypass the instances' guard: refuse them too."""

    def update(self, **kwargs):
        raise ValueError(f"{self.model.__name__} rows are append-only{self.model.correction}.")

    def delete(self):
        raise ValueError(f"{self.model.__name__} rows are append-only.")


class AppendOnly(models.Model):
    """Rows written once and never changed or removed, by instance or in bulk."""

    # What to do instead of changing a row, appended to the refusal (": add an Adjustment").
    correction = ""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError(f"{type(self).__name__} rows are append-only{self.correction}.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{type(self).__name__} rows are append-only.")


class AuditAction(models.TextChoices):
    # Vetting (the agent's timeline on the vetting page)
    SUBMITTED = "submitted", "Submitted for review"
    CHECK_APPROVED = "check_approved", "Check approved"
    CHECK_REJECTED = "check_rejected", "Check rejected"
    CHECK_EXPIRED = "check_expired", "Check expired"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"
    SUSPENDED = "suspended", "Suspended"
    REINSTATED = "reinstated", "Reinstated"
    # A verified (or decided) agent changed what a check vouched for (issue 13)
    PROFILE_CHANGED = "profile_changed", "Name or city changed"
    CHECK_REOPENED = "check_reopened", "Check back to review"
    # Finance
    TDS_CHANGED = "tds_changed", "Withholding tax rate changed"
    RUN_OPENED = "run_opened", "Settlement run opened"
    RUN_DONE = "run_done", "Settlement run done"
    RUN_FAILED = "run_failed", "Settlement run failed"
    RUN_RESTARTED = "run_restarted", "Settlement run restarted"
    PAYOUT_APPROVED = "payout_approved", "Payout approved"
    PAYOUT_PAID = "payout_paid", "Payout marked paid"
    INVOICE_PAID = "invoice_paid", "Invoice marked paid"
    ADJUSTMENT = "adjustment", "Adjustment"
    EXPORT = "export", "Payouts exported"
    EXPORT_DOWNLOADED = "export_downloaded", "Payout export downloaded"
    EXPORT_RESTARTED = "export_restarted", "Payout export restarted"
    FEE_PLAN_SET = "fee_plan_set", "Fixed-fee plan set"
    # Statement queries (billing.disputes)
    DISPUTE_OPENED = "dispute_opened", "Statement queried"
    DISPUTE_FOLLOWED_UP = "dispute_followed_up", "Statement query followed up"
    DISPUTE_ANSWERED = "dispute_answered", "Statement query answered"
    DISPUTE_CLOSED = "dispute_closed", "Statement query closed"
    # Firm administration
    FIRM_CREATED = "firm_created", "Firm created"
    FIRM_UPDATED = "firm_updated", "Firm updated"
    INVITE_CREATED = "invite_created", "Invitation sent"
    INVITE_ACCEPTED = "invite_accepted", "Invitation accepted"
    MEMBER_REMOVED = "member_removed", "Member removed"
    API_KEY_CREATED = "api_key_created", "API key created"
    API_KEY_REVOKED = "api_key_revoked", "API key revoked"
    # The agent's own payout details
    BANK_DETAILS_SET = "bank_details_set", "Bank details set"
    BANK_DETAILS_CHANGED = "bank_details_changed", "Bank details changed"
    # Staff reading an agent's private data (the record names it, never holds it)
    DOCUMENT_VIEWED = "document_viewed", "Document viewed"
    # Tax documents (issue 15): the agent's PAN, and every PDF and TDS summary downloaded
    PAN_SET = "pan_set", "PAN set"
    PAN_CHANGED = "pan_changed", "PAN changed"
    INVOICE_PDF_DOWNLOADED = "invoice_pdf_downloaded", "Tax invoice PDF downloaded"
    STATEMENT_PDF_DOWNLOADED = "statement_pdf_downloaded", "Statement PDF downloaded"
    TDS_SUMMARY_DOWNLOADED = "tds_summary_downloaded", "TDS summary downloaded"
    # The agent's workspace and what firms get back (issue 16)
    CONTEXT_VIEWED = "context_viewed", "Customer context viewed"
    LINE_WORKSPACE_SET = "line_workspace_set", "Line's workspace settings changed"
    SCRIPT_SAVED = "script_saved", "Script saved"
    DISPOSITIONS_CHANGED = "dispositions_changed", "Disposition codes changed"
    CONTACTS_IMPORTED = "contacts_imported", "Contact records uploaded"
    CALL_TRANSFERRED = "call_transferred", "Call transferred"
    SCORECARD_SAVED = "scorecard_saved", "Scorecard saved"
    CALL_SCORED = "call_scored", "Call scored"
    CALLBACK_UPDATED = "callback_updated", "Callback request updated"
    WEBHOOK_CREATED = "webhook_created", "Webhook endpoint added"
    WEBHOOK_UPDATED = "webhook_updated", "Webhook endpoint changed"
    WEBHOOK_DELETED = "webhook_deleted", "Webhook endpoint removed"
    WEBHOOK_PAUSED = "webhook_paused", "Webhook endpoint paused after failing"
    WEBHOOK_RESUMED = "webhook_resumed", "Webhook endpoint resumed"
    WEBHOOK_REPLAYED = "webhook_replayed", "Webhook delivery replayed"
    # Outbound campaigns' lifecycle (issue 17)
    CAMPAIGN_CREATED = "campaign_created", "Campaign created"
    CAMPAIGN_UPDATED = "campaign_updated", "Campaign changed"
    CAMPAIGN_AGENTS_SET = "campaign_agents_set", "Campaign's agents changed"
    CAMPAIGN_LISTS_SET = "campaign_lists_set", "Campaign's contact lists changed"
    CAMPAIGN_SCHEDULED = "campaign_scheduled", "Campaign scheduled"
    CAMPAIGN_STARTED = "campaign_started", "Campaign started"
    CAMPAIGN_PAUSED = "campaign_paused", "Campaign paused"
    CAMPAIGN_RESUMED = "campaign_resumed", "Campaign resumed"
    CAMPAIGN_COMPLETED = "campaign_completed", "Campaign completed"
    # Outbound campaigns' lists and do-not-call (issue 17): counts only, never a number
    OUTBOUND_IMPORT_STARTED = "outbound_import_started", "Outbound import started"
    OUTBOUND_IMPORT_DONE = "outbound_import_done", "Outbound import done"
    OUTBOUND_IMPORT_REFUSED = "outbound_import_refused", "Outbound import refused: bad rows"
    OUTBOUND_IMPORT_FAILED = "outbound_import_failed", "Outbound import failed"
    SUPPRESSION_ADDED = "suppression_added", "Number put on a do-not-call list"
    SUPPRESSION_REMOVED = "suppression_removed", "Number taken off a do-not-call list"
    # Email (issue 18): a firm's queues, addresses, IMAP mailboxes and reply templates (never
    # a password), and the staff putting a conversation back in its queue
    MAIL_QUEUE_SAVED = "mail_queue_saved", "Email queue saved"
    MAIL_ADDRESS_ADDED = "mail_address_added", "Inbound address added"
    MAIL_ADDRESS_REMOVED = "mail_address_removed", "Inbound address removed"
    MAIL_MAILBOX_SAVED = "mail_mailbox_saved", "IMAP mailbox saved"
    MAIL_MAILBOX_REMOVED = "mail_mailbox_removed", "IMAP mailbox removed"
    MAIL_TEMPLATE_SAVED = "mail_template_saved", "Reply template saved"
    MAIL_TEMPLATE_REMOVED = "mail_template_removed", "Reply template removed"
    MAIL_CONVERSATION_RELEASED = "mail_conversation_released", "Conversation put back in its queue"
    # Franchises (issue 19): the agency's local teams, and their leads taking agents off duty
    FRANCHISE_SAVED = "franchise_saved", "Franchise saved"
    FRANCHISE_MEMBER_ADDED = "franchise_member_added", "Agent added to a franchise"
    FRANCHISE_MEMBER_REMOVED = "franchise_member_removed", "Agent removed from a franchise"
    TAKEN_OFF_DUTY = "taken_off_duty", "Agent taken off duty by their team lead"


class AuditRecordQuerySet(AppendOnlyQuerySet):
    def about(self, obj: models.Model) -> "AuditRecordQuerySet":
        """The records of one object (the (content type, object id, time) index)."""
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class AuditRecord(AppendOnly):
    """Who did what to which object, when and from where. Written by `audit_log` only.

    There is deliberately no GenericRelation back from the audited models: deleting an
    object would cascade to its records through the collector, past the append-only guard.
    The record outlives its object; `object_id` then names a row that is gone.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # null: the system (an expiry, a settlement run)
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    reason = models.TextField(blank=True)
    # Values that changed, where that matters: never a secret (bank details: last four only).
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    # A default, not auto_now_add: the copy of the older audit tables keeps their times.
    created_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "created_at"],
                name="common_auditrecord_target_idx",
            ),
            models.Index(fields=["action", "created_at"], name="common_auditrecord_action_idx"),
            # The staff audit viewer (accounts.staff_views.audit), newest first by cursor,
            # unfiltered or by actor.
            models.Index(fields=["created_at", "id"], name="common_auditrecord_time_idx"),
            models.Index(fields=["actor", "created_at"], name="common_auditrecord_actor_idx"),
        ]
        # No CHECK on `action`: each new action would re-validate the whole (ever-growing)
        # table under an exclusive lock; the enumeration is held by the one writer instead.
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__isnull=True, object_id__isnull=True)
                | Q(content_type__isnull=False, object_id__isnull=False),
                name="common_auditrecord_target_whole",
            ),
        ]

    def __str__(self) -> str:
        return self.get_action_display()
