"""The ledger and its settlement: transactions, adjustments, runs, payouts and invoices.

Transactions and adjustments are append-only: instances refuse to be saved twice or deleted;
a correction is a new Adjustment with a reason. Each row is given its settlement periods when
it is written (`agent_period`, `firm_period`: the first period not yet closed by a run), so a
run settles exactly the rows of its period with one INSERT … SELECT … GROUP BY, and a row can
never be settled twice: it has one period, and a period has one run.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import timezone

from agents.models import AgentProfile, private_storage
from clients.models import ClientFirm, Currency, Engagement, StaffingRequest
from common.dates import day_label, period_label
from common.limits import Range
from common.models import AppendOnly
from common.money import format_money
from common.taxids import state_label
from common.text import TextValidator
from mailroom.models import CampaignEmail, Conversation
from routing.models import Call

MONEY = {"max_digits": 12, "decimal_places": 2}
# A correction by hand: a million either way is far past any one payout or invoice, and well
# inside the column (12 digits).
ADJUSTMENT = Range(
    Decimal(-1_000_000), Decimal(1_000_000), "An adjustment is at most {high} either way."
)


# A fixed-fee plan's terms (finance's plan page, billing.plans): a fee up to ten crore a
# period, up to ten million included calls, and an overage price bounded like a request's rate.
PLAN_FEE = Range(Decimal(0), Decimal(100_000_000), "A fee is from {low} to {high} a period.")
PLAN_INCLUDED_CALLS = Range(
    0, 10_000_000, "Included calls are from {low} to {high} (or tick unlimited)."
)
PLAN_OVERAGE = Range(Decimal(0), Decimal(100_000), "The overage is from {low} to {high} a call.")


class FixedFeePlan(models.Model):
    """What a complete-BPO firm pays per period: a fixed fee, optionally with included calls
    and an overage price per call beyond them.

    One plan a firm, read by each firms' run when it executes (billing.settlement): a change
    applies to every period not yet invoiced — from `applies_from`, the first such period when
    it was made (billing.plans.fee_plan_set) — and never to an invoice already issued, whose
    total and lines are rows of their own."""

    firm = models.OneToOneField(ClientFirm, on_delete=models.CASCADE, related_name="fee_plan")
    fee = models.DecimalField(**MONEY, validators=PLAN_FEE.validators())
    # None: unlimited
    included_calls = models.PositiveIntegerField(
        null=True, blank=True, validators=PLAN_INCLUDED_CALLS.validators()
    )
    overage_per_call = models.DecimalField(**MONEY, default=0, validators=PLAN_OVERAGE.validators())
    currency = models.CharField(max_length=3, choices=Currency.choices)
    # The first firms' period the current terms apply to (None: set before the plan page).
    applies_from = models.DateField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            PLAN_FEE.check("fee", name="billing_plan_fee_range"),
            PLAN_INCLUDED_CALLS.check("included_calls", name="billing_plan_included_range"),
            PLAN_OVERAGE.check("overage_per_call", name="billing_plan_overage_range"),
        ]

    def __str__(self) -> str:
        return f"{self.firm}: {format_money(self.fee, self.currency)} a period"


class SettlementRun(models.Model):
    class Kind(models.TextChoices):
        AGENTS = "agents", "Agent payouts"
        FIRMS = "firms", "Firm invoices"

    class Status(models.TextChoices):
        PENDING = "pending", "Queued"  # sent to the broker (or about to be), not started
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    period_start = models.DateField()  # local dates; the rows of this period are settled
    period_end = models.DateField()  # exclusive
    # Set when a worker claims the run: from then on new rows go to the next period.
    closed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)  # percent, for the finance page
    step = models.CharField(max_length=100, blank=True)
    task_id = models.CharField(max_length=64, blank=True)  # the task that should run it now
    attempts = models.PositiveSmallIntegerField(default=0)  # workers that took the lease
    # The lease (billing.settlement.run_claim): a worker executing the run holds it until
    # `lease_expires_at`; past that, with no transaction holding the row, the sweep
    # (billing.runs.runs_sweep) takes the run back. `lease_holder` names the worker.
    lease_holder = models.CharField(max_length=200, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)  # the latest task sent for it
    requeues = models.PositiveSmallIntegerField(default=0)  # the sweep's, since the last start
    transactions = models.PositiveIntegerField(default=0)
    total = models.DecimalField(**MONEY, default=0)  # payouts' gross or invoices' total
    # The same per currency (currency -> the sum, as a string): `total` adds rupees to
    # dollars when a run has both, so pages show these (each with its currency) instead.
    totals = models.JSONField(default=dict)
    failure_reason = models.TextField(blank=True)  # shown to finance on a failed run
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_end", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_start", "period_end"], name="billing_run_once"
            ),
            models.CheckConstraint(
                condition=Q(period_start__lt=models.F("period_end")), name="billing_run_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {period_label(self.period_start, self.period_end)}"


class Payout(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "To review"
        APPROVED = "approved", "Approved"
        PAID = "paid", "Paid"

    run = models.ForeignKey(SettlementRun, on_delete=models.PROTECT, related_name="payouts")
    agent = models.ForeignKey(AgentProfile, on_delete=models.PROTECT, related_name="payouts")
    currency = models.CharField(max_length=3, choices=Currency.choices)
    calls = models.PositiveIntegerField(default=0)  # transactions paid (adjustments aside)
    gross = models.DecimalField(**MONEY, default=0)
    tds_rate = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    tds = models.DecimalField(**MONEY, default=0)
    net = models.DecimalField(**MONEY, default=0)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "agent_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "agent", "currency"], name="billing_payout_once"
            ),
        ]
        # Finance's payouts list pages by (run desc, id) (common.keyset), filtered by status
        # or not: each page is an index range, whatever the ledger's size.
        indexes = [
            models.Index(fields=["-run", "id"], name="billing_payout_list_idx"),
            models.Index(fields=["status", "-run", "id"], name="billing_payout_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.agent}: {format_money(self.net, self.currency)}"

    # What a statement says of the money: "paid" only once it is (issue 15). Pages and PDFs
    # take these, so every place words a payout's state the same way.
    @property
    def net_label(self) -> str:
        return "Net paid" if self.status == self.Status.PAID else "Net to be paid"

    @property
    def state_words(self) -> str:
        if self.status == self.Status.PAID:
            return (
                f"Paid on {day_label(timezone.localdate(self.paid_at))}" if self.paid_at else "Paid"
            )
        if self.status == self.Status.APPROVED:
            when = (
                f" on {day_label(timezone.localdate(self.approved_at))}" if self.approved_at else ""
            )
            return f"Approved{when}, to be paid"
        return "To be paid once finance approves it"


class InvoiceSeries(models.Model):
    """One gap-free invoice number series a financial year ("HS/26-27"): the last serial
    given. Issuing locks this row (select_for_update) in the transaction that writes the
    invoices, so numbers are taken in commit order and a rolled-back run gives its back."""

    series = models.CharField(max_length=12, primary_key=True)
    last_serial = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.series} (last {self.last_serial})"


class Invoice(models.Model):
    class Kind(models.TextChoices):
        ACTIVITY = "activity", "Per activity"
        FIXED = "fixed", "Fixed fee"

    class Status(models.TextChoices):
        ISSUED = "issued", "Issued"
        PAID = "paid", "Paid"

    run = models.ForeignKey(SettlementRun, on_delete=models.PROTECT, related_name="invoices")
    firm = models.ForeignKey(ClientFirm, on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    currency = models.CharField(max_length=3, choices=Currency.choices)
    # The taxable value: the sum of the lines, before GST (what the ledger reconciles with).
    total = models.DecimalField(**MONEY, default=0)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ISSUED)
    issued_at = models.DateTimeField(auto_now_add=True)
    # The tax invoice, fixed when the run issues it (billing.invoicing.invoices_issue) and
    # never recomputed: number, date, both parties as they were, place of supply, SAC, rate
    # and the tax per line and in total. `tax_rate` is null on invoices issued before GST
    # was computed here (migration billing.0010 numbered them; they carry no tax).
    series = models.CharField(max_length=12, blank=True, default="", db_default="")
    serial = models.PositiveIntegerField(null=True, blank=True)
    number = models.CharField(
        max_length=16, blank=True, default="", db_default=""
    )  # "HS/26-27/000123"
    issued_on = models.DateField(null=True, blank=True)  # the invoice date (local)
    supplier_name = models.CharField(max_length=200, blank=True, default="", db_default="")
    supplier_address = models.TextField(blank=True, default="", db_default="")
    supplier_gstin = models.CharField(max_length=15, blank=True, default="", db_default="")
    supplier_pan = models.CharField(max_length=10, blank=True, default="", db_default="")
    supplier_state = models.CharField(max_length=2, blank=True, default="", db_default="")
    recipient_name = models.CharField(max_length=200, blank=True, default="", db_default="")
    recipient_address = models.TextField(blank=True, default="", db_default="")
    recipient_gstin = models.CharField(
        max_length=15, blank=True, default="", db_default=""
    )  # blank: unregistered
    place_of_supply = models.CharField(
        max_length=2, blank=True, default="", db_default=""
    )  # a GST state code
    sac = models.CharField(max_length=8, blank=True, default="", db_default="")
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    cgst = models.DecimalField(**MONEY, default=0, db_default=0)
    sgst = models.DecimalField(**MONEY, default=0, db_default=0)
    igst = models.DecimalField(**MONEY, default=0, db_default=0)

    class Meta:
        ordering = ["-issued_at", "firm_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "firm", "currency"], name="billing_invoice_once"
            ),
            # No number twice in a series (the counter row is the first guard).
            models.UniqueConstraint(
                fields=["series", "serial"],
                condition=Q(serial__isnull=False),
                name="billing_invoice_number_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.firm}: {format_money(self.total, self.currency)}"

    @property
    def total_label(self) -> str:
        """An issued invoice is due, not paid (issue 15)."""
        return "Total paid" if self.status == self.Status.PAID else "Total due"

    @property
    def tax(self):
        return self.cgst + self.sgst + self.igst

    @property
    def total_with_tax(self):
        """What the firm owes: the taxable value and its GST, both stored at issue (an invoice
        from before tax invoices has no tax: its total)."""
        return self.total + self.tax

    @property
    def is_intra_state(self) -> bool:
        """CGST + SGST (supplier and place of supply in one state), else IGST."""
        return self.supplier_state == self.place_of_supply

    @property
    def place_of_supply_label(self) -> str:
        return state_label(self.place_of_supply) if self.place_of_supply else ""

    @property
    def filename(self) -> str:
        """The number as a file name: slashes are not allowed in one."""
        return (self.number or f"invoice-{self.pk}").replace("/", "-")


# A per-activity invoice's lines, one per staffing request, channel and direction
# (billing.settlement).
INBOUND_LINE = "Handled calls"
OUTBOUND_LINE = "Outbound calls"
CONVERSATION_LINE = "Email conversations"
CAMPAIGN_EMAIL_LINE = "Campaign emails"


class Channel(models.TextChoices):
    CALL = "call", "Call"
    EMAIL = "email", "Email"


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    request = models.ForeignKey(
        StaffingRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(max_length=255)
    quantity = models.PositiveIntegerField(default=0)  # calls (per-activity) or periods
    units = models.PositiveIntegerField(default=0)  # billed units (calls, minutes, seconds)
    amount = models.DecimalField(**MONEY)  # the line's taxable value
    # GST on this line, each rounded half up to the paisa on its own (billing.gst.line_tax).
    cgst = models.DecimalField(**MONEY, default=0, db_default=0)
    sgst = models.DecimalField(**MONEY, default=0, db_default=0)
    igst = models.DecimalField(**MONEY, default=0, db_default=0)

    class Meta:
        ordering = ["invoice", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "request", "description"], name="billing_line_once"
            ),
        ]

    def __str__(self) -> str:
        return self.description


class Transaction(AppendOnly):
    """One priced activity, priced once from the rate card: an answered, completed call, a
    placed outbound attempt (its call), a handled email conversation (first reply sent), or a
    sent campaign email. Exactly one of `call`, `conversation`, `campaign_email` is set, each
    unique: an activity is never written twice."""

    correction = ": add an Adjustment"

    call = models.OneToOneField(
        Call, null=True, blank=True, on_delete=models.PROTECT, related_name="transaction"
    )
    # A handled conversation: the agent who sent the first reply is paid the engagement's
    # email_agent_rate, the firm charged its email_client_rate (billing.ledger).
    conversation = models.OneToOneField(
        Conversation, null=True, blank=True, on_delete=models.PROTECT, related_name="transaction"
    )
    # A sent campaign email: the firm charged the request's campaign_email_rate; no agent's
    # work (agent and engagement null, agent_amount 0).
    campaign_email = models.OneToOneField(
        CampaignEmail, null=True, blank=True, on_delete=models.PROTECT, related_name="transaction"
    )
    # Calls: inbound, an answered call (billing.ledger.transaction_record); outbound, a
    # campaign's placed attempt (transaction_record_attempt), priced on the outbound rates.
    # Email: inbound, a handled conversation; outbound, a campaign email. Both kept on the
    # row so a run splits invoice lines by them without joining the activities.
    channel = models.CharField(
        max_length=5, choices=Channel.choices, default=Channel.CALL, db_default=Channel.CALL
    )
    direction = models.CharField(
        max_length=8,
        choices=Call.Direction.choices,
        default=Call.Direction.INBOUND,
        db_default=Call.Direction.INBOUND,
    )
    # None only on a campaign email's row (the request's rate, no agent's engagement).
    engagement = models.ForeignKey(
        Engagement, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agent = models.ForeignKey(
        AgentProfile,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transactions",
    )
    firm = models.ForeignKey(ClientFirm, on_delete=models.PROTECT, related_name="transactions")
    currency = models.CharField(max_length=3, choices=Currency.choices)
    units = models.PositiveIntegerField()
    agent_amount = models.DecimalField(**MONEY)
    client_amount = models.DecimalField(**MONEY)
    rate_card = models.JSONField()  # the rates used, as strings: a snapshot, never recomputed
    occurred_at = models.DateTimeField()  # when the call ended
    created_at = models.DateTimeField(auto_now_add=True)
    # The settlement periods (start dates) this row belongs to; see the module docstring.
    agent_period = models.DateField()
    firm_period = models.DateField()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["agent_period", "agent"], name="billing_tx_agent_period_idx"),
            models.Index(fields=["firm_period", "firm"], name="billing_tx_firm_period_idx"),
            # The agent's earnings page, newest first by (occurred_at, id) (common.keyset).
            models.Index(fields=["agent", "occurred_at", "id"], name="billing_tx_agent_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(agent_amount__lte=models.F("client_amount")),
                name="billing_tx_margin",
            ),
            # Exactly one activity a row, of the channel and direction it says; an agent (and
            # the engagement they worked under) on every row but a campaign email's, which
            # pays nobody.
            models.CheckConstraint(
                condition=Q(
                    channel="call",
                    call__isnull=False,
                    conversation__isnull=True,
                    campaign_email__isnull=True,
                    agent__isnull=False,
                    engagement__isnull=False,
                )
                | Q(
                    channel="email",
                    direction="inbound",
                    call__isnull=True,
                    conversation__isnull=False,
                    campaign_email__isnull=True,
                    agent__isnull=False,
                    engagement__isnull=False,
                )
                | Q(
                    channel="email",
                    direction="outbound",
                    call__isnull=True,
                    conversation__isnull=True,
                    campaign_email__isnull=False,
                    agent__isnull=True,
                    agent_amount=0,
                ),
                name="billing_tx_one_activity",
            ),
        ]

    def __str__(self) -> str:
        activity = self.call or self.conversation or self.campaign_email
        return f"{activity}: {format_money(self.client_amount, self.currency)}"

    @property
    def is_call(self) -> bool:
        return self.channel == Channel.CALL

    @property
    def talk_seconds(self) -> int | None:
        """A call's talk; None for an email row (pages show a dash)."""
        return self.call.talk_seconds if self.call_id else None

    @property
    def direction_label(self) -> str:
        """A sheet's "Direction" cell: a call's direction, an email row's kind of work."""
        if self.conversation_id:
            return "Email conversation"
        if self.campaign_email_id:
            return "Campaign email"
        return self.get_direction_display()

    @property
    def place_label(self) -> str:
        """Where the work was: a call's line, a conversation's queue, a campaign's name.
        Pages select these with the row (billing.selectors.PLACES)."""
        if self.call_id:
            return self.call.line.name
        if self.conversation_id:
            return self.conversation.queue.name
        if self.campaign_email_id:
            return self.campaign_email.campaign.name
        return ""

    @property
    def campaign(self):
        """An outbound row's campaign (through its call's attempt, or its campaign email),
        else None. Pages select it with the row (billing.selectors.OUTBOUND_CAMPAIGN)."""
        if self.direction != Call.Direction.OUTBOUND:
            return None
        try:
            if self.campaign_email_id:
                return self.campaign_email.campaign
            return self.call.attempt.campaign if self.call_id else None
        except ObjectDoesNotExist:
            return None

    @property
    def activity_label(self) -> str:
        """What the work was, for statements, invoices and their sheets."""
        if self.conversation_id:
            return f"Email conversation · {self.conversation.queue.name}"
        if self.campaign_email_id:
            return f"Campaign email · {self.campaign_email.campaign.name}"
        if self.direction != Call.Direction.OUTBOUND:
            return "Inbound call"
        campaign = self.campaign
        return f"Outbound call · {campaign.name}" if campaign else "Outbound call"


class Adjustment(AppendOnly):
    """A correction, positive or negative, to an agent's payout or a firm's invoice."""

    correction = ": add an Adjustment"

    agent = models.ForeignKey(
        AgentProfile, null=True, blank=True, on_delete=models.PROTECT, related_name="adjustments"
    )
    firm = models.ForeignKey(
        ClientFirm, null=True, blank=True, on_delete=models.PROTECT, related_name="adjustments"
    )
    transaction = models.ForeignKey(
        Transaction, null=True, blank=True, on_delete=models.PROTECT, related_name="adjustments"
    )
    currency = models.CharField(max_length=3, choices=Currency.choices)
    amount = models.DecimalField(**MONEY, validators=ADJUSTMENT.validators())
    reason = models.CharField(max_length=500)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    period = models.DateField()  # the agent's or the firm's settlement period it lands in

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["period"], name="billing_adjustment_period_idx")]
        constraints = [
            # Exactly one of agent or firm: a payout correction or an invoice correction.
            models.CheckConstraint(
                condition=(
                    Q(agent__isnull=False, firm__isnull=True)
                    | Q(agent__isnull=True, firm__isnull=False)
                ),
                name="billing_adjustment_one_side",
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="billing_adjustment_nonzero"),
            ADJUSTMENT.check("amount", name="billing_adjustment_amount_range"),
        ]

    def __str__(self) -> str:
        return f"{format_money(self.amount, self.currency)}: {self.reason}"


class Dispute(models.Model):
    """An agent's query about their statement (a payout): one line of it (a transaction) or
    the statement as a whole, asked before payday — while the payout is not yet paid.

    open (waiting for finance) -> answered (finance replied; the agent may write again, which
    opens it again) -> closed (finance closed it, with a reply or with an adjustment).
    billing.disputes holds the rules; the thread is `messages`."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for finance"
        ANSWERED = "answered", "Answered"
        CLOSED = "closed", "Closed"

    LIVE = (Status.OPEN, Status.ANSWERED)

    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="disputes")
    # None: the statement as a whole
    transaction = models.ForeignKey(
        Transaction, null=True, blank=True, on_delete=models.PROTECT, related_name="disputes"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(default=timezone.now)  # the thread's latest message
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            # Finance's list: one status, longest waiting first (common.keyset).
            models.Index(fields=["status", "updated_at", "id"], name="billing_dispute_queue_idx"),
        ]
        constraints = [
            # One live query a line, and one about the whole statement: a second question
            # goes into the thread already open.
            models.UniqueConstraint(
                fields=["transaction"],
                condition=Q(status__in=["open", "answered"], transaction__isnull=False),
                name="billing_dispute_one_live_per_line",
            ),
            models.UniqueConstraint(
                fields=["payout"],
                condition=Q(status__in=["open", "answered"], transaction__isnull=True),
                name="billing_dispute_one_live_per_statement",
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False)
                | (~Q(status="closed") & Q(closed_at__isnull=True)),
                name="billing_dispute_closed_at",
            ),
        ]

    def __str__(self) -> str:
        return f"Query {self.pk} on {self.payout}"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE


class DisputeMessage(AppendOnly):
    """One message of a query's thread: the agent's question, finance's reply, or finance's
    adjustment (with the Adjustment it recorded). Written once."""

    class Kind(models.TextChoices):
        QUERY = "query", "Query"
        REPLY = "reply", "Reply"
        ADJUSTMENT = "adjustment", "Adjustment"

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    body = models.TextField(max_length=2000, validators=[TextValidator(multiline=True)])
    adjustment = models.OneToOneField(
        Adjustment, null=True, blank=True, on_delete=models.PROTECT, related_name="message"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["dispute", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="adjustment", adjustment__isnull=False)
                | (~Q(kind="adjustment") & Q(adjustment__isnull=True)),
                name="billing_dispute_message_adjustment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on query {self.dispute_id}"


class SettlementLock(models.Model):
    """One row per run kind. Writers of ledger rows hold it FOR SHARE while they pick a
    period; a run's claim takes it FOR UPDATE, so no row can slip into a period after the
    run that settles it has started (on SQLite the IMMEDIATE transaction serialises both)."""

    kind = models.CharField(max_length=8, primary_key=True, choices=SettlementRun.Kind.choices)

    def __str__(self) -> str:
        return self.kind


class PayoutExport(models.Model):
    """One exported file of payouts: which payouts, who, when, what kind. A bank file's
    `msg_id` is the file's identity at the bank (pain.001's MsgId; the NEFT file's name), and
    a payout already in one bank file goes into another only with a reason (billing.exports)."""

    class Kind(models.TextChoices):
        CSV = "csv", "CSV sheet"
        XLSX = "xlsx", "Excel sheet"
        NEFT = "neft", "NEFT bulk file"
        PAIN001 = "pain001", "ISO 20022 pain.001"

    BANK_FILES = (Kind.NEFT, Kind.PAIN001)

    kind = models.CharField(max_length=8, choices=Kind.choices)
    layout = models.CharField(max_length=16, blank=True)  # NEFT: the bank's (PAYOUT_NEFT_LAYOUT)
    # Set right after the row is written, from its id: unique per file, ≤ 35 (Max35Text).
    msg_id = models.CharField(max_length=35, unique=True, null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    run = models.ForeignKey(
        SettlementRun, null=True, blank=True, on_delete=models.PROTECT, related_name="exports"
    )
    payouts = models.ManyToManyField(Payout, related_name="exports")  # bank files only
    count = models.PositiveIntegerField(default=0)
    totals = models.JSONField(default=dict)  # currency -> the sum of nets, as a string
    # Payouts in the selection that the file could not carry, each with the reason why.
    left_out = models.JSONField(default=list)
    reason = models.TextField(blank=True)  # why payouts already in a bank file are in this one

    # The file is built by a Celery task (billing.export_jobs): queued -> running (`done` of
    # `count` rows, renewing its lease every chunk) -> ready (the file in private storage)
    # | failed (the reason); a ready file is deleted after EXPORT_RETENTION_HOURS (expired).
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    task_id = models.CharField(max_length=64, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_holder = models.CharField(max_length=200, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    requeues = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)  # rows written so far, of `count`
    file = models.FileField(storage=private_storage, upload_to="exports/%Y/%m/", blank=True)
    filename = models.CharField(max_length=120, blank=True)  # as the download names it
    size = models.PositiveBigIntegerField(default=0)
    failure_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["kind", "created_at"], name="billing_export_kind_idx"),
            # The sweep's and the retention task's scans: only unfinished or ready files.
            models.Index(
                fields=["status"],
                name="billing_export_live_idx",
                condition=Q(status__in=["queued", "running", "ready"]),
            ),
        ]

    def __str__(self) -> str:
        return self.msg_id or f"{self.kind} export {self.pk}"

    @property
    def deleted_after(self):
        """When the hourly retention task (`exports_expire`) may delete a ready file."""
        if self.finished_at is None:
            return None
        return self.finished_at + dt.timedelta(hours=settings.EXPORT_RETENTION_HOURS)

    @property
    def percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        return min(100, self.done * 100 // self.count) if self.count else 0
