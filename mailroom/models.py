"""Email (issue 18): consumers' inbound mail answered by home agents, and firms' email
campaigns to their contact lists.

An inbound message arrives through a mail provider's inbound webhook (django-anymail) or an
IMAP mailbox the firm gives us (polled by Celery beat). It is parsed once, joined to its
`Conversation` by Message-ID / In-Reply-To / References, and a new conversation is offered to
an eligible agent of the queue's line. The agent's reply is a `Message` of direction "out",
sent from the queue's address through Django's email backend. The first reply makes the
conversation "handled": the ledger's row for it is written in the same database transaction.

A campaign sends one `CampaignEmail` per contact with an address, each a ledger row when it is
sent; anymail's tracking events mark delivery, bounces and complaints, and bounces, complaints
and unsubscribes go on the firm's `EmailSuppression` list.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from agents.models import AgentProfile, private_storage
from campaigns.models import ContactList
from clients.models import ClientFirm, Contact, Engagement, PhoneLine, StaffingRequest
from common.crypto import EncryptedTextField
from common.limits import Range

# A queue's first-response target, in business minutes of its line (5 minutes to a week).
FIRST_RESPONSE_MINUTES = Range(5, 10080, "The first-response target is {low} to {high} minutes.")
# A campaign's sending rate: emails a minute (at most 600 — ten a second — per campaign).
SEND_RATE = Range(1, 600, "Send {low} to {high} emails a minute.")
IMAP_PORT = Range(1, 65535)


class Queue(models.Model):
    """Where a firm's consumers write: one or more addresses (and IMAP mailboxes), worked by
    the agents engaged on `line` — the line's skill, languages and business hours."""

    firm = models.ForeignKey(ClientFirm, on_delete=models.CASCADE, related_name="mail_queues")
    line = models.ForeignKey(PhoneLine, on_delete=models.PROTECT, related_name="mail_queues")
    name = models.CharField(max_length=100)
    # The queue's language when the address fixes it; "": detected from each new message
    # (mailroom.language), else the line's first language.
    language = models.CharField(max_length=3, blank=True)
    first_response_minutes = models.PositiveIntegerField(
        default=240, validators=FIRST_RESPONSE_MINUTES.validators()
    )
    # The name replies are signed with and shown as the sender ("Acme Insurance support").
    display_name = models.CharField(max_length=100, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["firm", "name"]
        constraints = [
            models.UniqueConstraint(fields=["firm", "name"], name="mailroom_queue_name_once"),
            FIRST_RESPONSE_MINUTES.check(
                "first_response_minutes", name="mailroom_queue_first_response_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Address(models.Model):
    """An address consumers write to (lower case). Replies leave from the address the
    conversation was opened on."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="addresses")
    email = models.EmailField(unique=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email


class Mailbox(models.Model):
    """An IMAP mailbox the firm gives us, polled by Celery beat (mailroom.imap). Messages are
    taken by UID above `last_uid` while `uid_validity` holds; a new UIDVALIDITY starts over
    (Message-IDs keep that from storing a message twice)."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="mailboxes")
    address = models.ForeignKey(Address, on_delete=models.CASCADE, related_name="mailboxes")
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=993, validators=IMAP_PORT.validators())
    use_ssl = models.BooleanField(default=True)
    username = models.CharField(max_length=255)
    password = EncryptedTextField()  # never shown again once set, never logged
    folder = models.CharField(max_length=255, default="INBOX")
    uid_validity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)  # shown to the firm
    failures = models.PositiveIntegerField(default=0)  # polls failed in a row
    # Messages over MAILROOM_MESSAGE_MAX_BYTES: never fetched, left in the mailbox.
    too_large = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["queue", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["host", "username", "folder"], name="mailroom_mailbox_once"
            ),
            IMAP_PORT.check("port", name="mailroom_mailbox_port_range"),
        ]

    def __str__(self) -> str:
        return f"{self.username}@{self.host}/{self.folder}"


class Conversation(models.Model):
    """One consumer's thread with a queue."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for an agent"
        ASSIGNED = "assigned", "With an agent"
        ANSWERED = "answered", "Answered"  # replied to; reopens when the consumer writes
        CLOSED = "closed", "Closed"
        STOPPED = "stopped", "Stopped (mail loop)"

    firm = models.ForeignKey(ClientFirm, on_delete=models.CASCADE, related_name="conversations")
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="conversations")
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=255, blank=True)
    # The consumer: agents see the name (or a masked address), never the full address.
    customer_name = models.CharField(max_length=150, blank=True)
    customer_email = models.EmailField()
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(max_length=3, blank=True)
    # How the language was chosen: "queue", "detected", "line" (the fallback).
    language_source = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    agent = models.ForeignKey(
        AgentProfile, null=True, blank=True, on_delete=models.PROTECT, related_name="conversations"
    )
    engagement = models.ForeignKey(
        Engagement, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    # The service level: the first reply is due by `first_response_due_at` (business minutes
    # of the line from the first message); breached when it passed unanswered (escalated).
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    # Set when the first reply made it a handled conversation (one ledger row, billing).
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        AgentProfile, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_engagement = models.ForeignKey(
        Engagement, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A sender failing SPF or DKIM at the provider marks the conversation for the agent.
    suspicious = models.BooleanField(default=False)
    last_message_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [
            # The assignment sweep and the queue pages: waiting conversations oldest first.
            models.Index(fields=["status", "queue", "created_at"], name="mailroom_conv_status_idx"),
            # An agent's open conversations (capacity) and their inbox.
            models.Index(
                fields=["agent", "status"],
                condition=Q(status="assigned"),
                name="mailroom_conv_agent_open_idx",
            ),
            # The SLA sweep: unanswered conversations by their due time.
            models.Index(
                fields=["first_response_due_at"],
                condition=Q(first_response_at__isnull=True, breached_at__isnull=True),
                name="mailroom_conv_due_idx",
            ),
            models.Index(fields=["firm", "last_message_at", "id"], name="mailroom_conv_firm_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="assigned") | Q(agent__isnull=False),
                name="mailroom_conv_assigned_has_agent",
            ),
            models.CheckConstraint(
                condition=Q(handled_at__isnull=True) | Q(handled_by__isnull=False),
                name="mailroom_conv_handled_has_agent",
            ),
        ]

    def __str__(self) -> str:
        return self.subject or f"conversation {self.pk}"

    @property
    def customer_masked(self) -> str:
        """What an agent sees of the consumer's address: m•••@e•••.com."""
        return email_masked(self.customer_email)

    @property
    def customer_label(self) -> str:
        return self.customer_name or self.customer_masked


def email_masked(address: str) -> str:
    local, _, domain = (address or "").partition("@")
    if not domain:
        return "•••"
    host, _, tld = domain.rpartition(".")
    return f"{local[:1]}•••@{(host or tld)[:1]}•••.{tld if host else ''}".rstrip(".")


class Message(models.Model):
    """One email of a conversation: the consumer's (in) or an agent's reply (out)."""

    class Direction(models.TextChoices):
        IN = "in", "From the consumer"
        OUT = "out", "Reply"

    class Source(models.TextChoices):
        WEBHOOK = "webhook", "Mail provider's webhook"
        IMAP = "imap", "IMAP mailbox"
        AGENT = "agent", "Agent's reply"

    class Auth(models.TextChoices):
        PASS = "pass", "Passed"
        FAIL = "fail", "Failed"
        NONE = "none", "Not checked"

    class Send(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    firm = models.ForeignKey(ClientFirm, on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    source = models.CharField(max_length=8, choices=Source.choices)
    # The RFC 5322 Message-ID without angle brackets; ours for replies (mailroom.threading).
    message_id = models.CharField(max_length=255)
    in_reply_to = models.CharField(max_length=255, blank=True)
    references = models.TextField(blank=True)  # space-separated ids, oldest first
    from_name = models.CharField(max_length=150, blank=True)
    from_email = models.EmailField()
    to_email = models.EmailField()
    subject = models.CharField(max_length=255, blank=True)
    # The new text of the message (quoted history trimmed), and the whole text part.
    text = models.TextField(blank=True)
    full_text = models.TextField(blank=True)
    html = models.TextField(blank=True)  # sanitised with nh3; never the raw HTML
    size = models.PositiveIntegerField(default=0)  # bytes of the raw message
    # SPF and DKIM as the provider (or the receiving server's Authentication-Results) saw them.
    spf = models.CharField(max_length=4, choices=Auth.choices, default=Auth.NONE)
    dkim = models.CharField(max_length=4, choices=Auth.choices, default=Auth.NONE)
    # An auto-reply (Auto-Submitted, X-Autoreply, Precedence: bulk/auto_reply…): kept, never
    # routed or counted as the consumer writing again; several in a row stop the conversation.
    automatic = models.BooleanField(default=False)
    language = models.CharField(max_length=3, blank=True)
    # Replies: who wrote it, and the outbox (sent after commit; the sweep sends what a lost
    # task left queued).
    author = models.ForeignKey(
        AgentProfile, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    send_status = models.CharField(max_length=7, choices=Send.choices, blank=True)
    send_attempts = models.PositiveSmallIntegerField(default=0)
    send_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # IMAP: where it came from (a mailbox's UID), so a poll never takes it twice.
    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imap_uid = models.BigIntegerField(null=True, blank=True)
    received_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [
            models.Index(fields=["send_status", "created_at"], name="mailroom_msg_outbox_idx"),
            models.Index(fields=["conversation", "received_at"], name="mailroom_msg_conv_idx"),
        ]
        constraints = [
            # A provider retrying its webhook, or a mailbox polled again, stores nothing twice.
            models.UniqueConstraint(fields=["firm", "message_id"], name="mailroom_message_once"),
        ]

    def __str__(self) -> str:
        return f"<{self.message_id}>"


class Attachment(models.Model):
    """A file that came with a message, stored privately after the same content checks as
    agents' documents; a refused one keeps only its name and the reason."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, blank=True)  # as sniffed, not as claimed
    size = models.PositiveIntegerField()
    file = models.FileField(storage=private_storage, upload_to="mail/%Y/%m/", blank=True)
    refused_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class Event(models.Model):
    """What happened to a conversation, for its page: assigned, reassigned, breached and
    escalated, an attachment refused, a loop stopped, a suspicious sender."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", "Assigned"
        REASSIGNED = "reassigned", "Reassigned"
        RELEASED = "released", "Back in the queue"
        BREACHED = "breached", "First-response target missed"
        ATTACHMENT_REFUSED = "attachment_refused", "Attachment refused"
        LOOP_STOPPED = "loop_stopped", "Mail loop stopped"
        SUSPICIOUS = "suspicious", "Sender failed SPF/DKIM"
        CLOSED = "closed", "Closed"
        REOPENED = "reopened", "Reopened"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    detail = models.CharField(max_length=500, blank=True)
    agent = models.ForeignKey(
        AgentProfile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.conversation_id}: {self.kind}"


class Template(models.Model):
    """A firm's reply template: text with {customer_name}, {agent_name} and {firm_name}."""

    firm = models.ForeignKey(ClientFirm, on_delete=models.CASCADE, related_name="mail_templates")
    queue = models.ForeignKey(
        Queue, null=True, blank=True, on_delete=models.CASCADE, related_name="templates"
    )  # None: every queue of the firm
    name = models.CharField(max_length=100)
    language = models.CharField(max_length=3, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["firm", "name"], name="mailroom_template_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


# --- Information delivery: email campaigns ------------------------------------------------


class EmailCampaign(models.Model):
    """Mail to the contacts of a firm's lists, from one of its queues' addresses, priced per
    email on `request`'s campaign-email rate."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Sending"
        PAUSED = "paused", "Paused"
        DONE = "done", "Sent"
        CANCELLED = "cancelled", "Cancelled"

    firm = models.ForeignKey(ClientFirm, on_delete=models.PROTECT, related_name="email_campaigns")
    request = models.ForeignKey(StaffingRequest, on_delete=models.PROTECT, related_name="+")
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="+")  # From:
    lists = models.ManyToManyField(ContactList, blank=True, related_name="email_campaigns")
    name = models.CharField(max_length=150)
    # Templates with the contact's fields: {name}, {first_name} and the list's own columns.
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    rate_per_minute = models.PositiveIntegerField(default=60, validators=SEND_RATE.validators())
    # Figures, kept as the sender and the tracking webhooks go (the page reads these).
    recipients = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    delivered = models.PositiveIntegerField(default=0)
    bounced = models.PositiveIntegerField(default=0)
    complained = models.PositiveIntegerField(default=0)
    unsubscribed = models.PositiveIntegerField(default=0)
    suppressed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            SEND_RATE.check("rate_per_minute", name="mailroom_campaign_rate_range"),
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(scheduled_at__isnull=False),
                name="mailroom_campaign_scheduled_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignEmail(models.Model):
    """One contact's email of a campaign: queued, then sent (a ledger row in the same
    transaction), then delivered, bounced or complained as the provider tells."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Complained"
        SUPPRESSED = "suppressed", "Suppressed"  # not sent: on the firm's suppression list
        FAILED = "failed", "Failed"

    campaign = models.ForeignKey(EmailCampaign, on_delete=models.CASCADE, related_name="emails")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    firm = models.ForeignKey(ClientFirm, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    message_id = models.CharField(max_length=255, blank=True)  # ours, in the Message-ID header
    provider_id = models.CharField(max_length=255, blank=True)  # anymail's message_id
    # The one-click unsubscribe link's token (RFC 8058): names this email, nothing else.
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    event_at = models.DateTimeField(null=True, blank=True)  # the latest tracking event
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["campaign", "status", "id"], name="mailroom_email_status_idx"),
            models.Index(
                fields=["provider_id"], condition=~Q(provider_id=""), name="mailroom_email_prov_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "contact"], name="mailroom_email_once"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} → {self.contact_id}"


class EmailSuppression(models.Model):
    """An address of the firm's that no campaign mails again (lower case)."""

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Complained (spam)"
        MANUAL = "manual", "Added by the firm"

    firm = models.ForeignKey(ClientFirm, on_delete=models.CASCADE, related_name="email_suppressed")
    email = models.EmailField()
    reason = models.CharField(max_length=12, choices=Reason.choices)
    campaign_email = models.ForeignKey(
        CampaignEmail, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["firm", "email"], name="mailroom_suppression_once"),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_reason_display()})"
