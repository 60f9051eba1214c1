"""Outbound work (issue 17): contact lists and their imports, do-not-call (the firm's
suppression list and the national registry), campaigns, the contacts a campaign calls,
and every attempt with the consent proof it was checked against.

Contacts themselves are `clients.Contact` / `ContactNumber` (the firm's customers, also
shown to agents on inbound lines); a list is a named set of them. An attempt that is placed
is also a `routing.Call` (direction outbound): the agent's one-live-call rule, the wrap-up,
the provider's reconciliation and the ledger are the same as for inbound calls.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from phonenumber_field.modelfields import PhoneNumberField

from agents.models import AgentProfile, private_storage
from clients.models import (
    ClientFirm,
    Contact,
    DispositionCode,
    Engagement,
    PhoneLine,
)
from common.limits import Range
from routing.models import Call, CallbackRequest

ATTEMPTS_MAX = Range(1, 20, "At most {high} attempts; at least {low}.")
ATTEMPTS_A_DAY = Range(1, 10, "At most {high} attempts a day; at least {low}.")
RETRY_MINUTES = Range(0, 10080, "Retry after 0 (never) to {high} minutes (a week).")
FIELDS_SHOWN_MAX = 20


class Category(models.TextChoices):
    """TRAI's seven categories of commercial communication (TCCCPR 2018)."""

    BANKING = "1", "Banking, insurance and financial products"
    REAL_ESTATE = "2", "Real estate"
    EDUCATION = "3", "Education"
    HEALTH = "4", "Health"
    CONSUMER_GOODS = "5", "Consumer goods and automobiles"
    COMMUNICATION = "6", "Communication, broadcasting, entertainment and IT"
    TOURISM = "7", "Tourism and leisure"


def category_bit(category: str) -> int:
    """A category's bit in `RegistryEntry.blocked` (category 1 is bit 0)."""
    return 1 << (int(category) - 1)


ALL_CATEGORIES = sum(category_bit(c) for c in Category.values)


# --- Lists and their imports ---------------------------------------------------------------


class ContactList(models.Model):
    """A named set of the firm's contacts. `version` goes up with every import into it, so
    an attempt's proof names the list as it was."""

    firm = models.ForeignKey(ClientFirm, on_delete=models.CASCADE, related_name="contact_lists")
    name = models.CharField(max_length=120)
    version = models.PositiveIntegerField(default=0)
    contacts = models.ManyToManyField(Contact, through="ListMember", related_name="lists")
    members_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["firm", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["firm", "name"], name="campaigns_list_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class ListMember(models.Model):
    contact_list = models.ForeignKey(ContactList, on_delete=models.CASCADE, related_name="members")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="memberships")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contact_list", "contact"], name="campaigns_member_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} in list {self.contact_list_id}"


class ImportJob(models.Model):
    """One uploaded file being read in the background: a firm's contacts into a list, its
    do-not-call numbers, or the agency's registry extract. Rows are staged, then applied in
    one transaction at the end: a failed or refused import writes nothing."""

    class Kind(models.TextChoices):
        CONTACTS = "contacts", "Contacts"
        SUPPRESSION = "suppression", "Do-not-call numbers"
        REGISTRY = "registry", "National registry extract"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Reading the file"
        APPLYING = "applying", "Saving"
        DONE = "done", "Imported"
        REFUSED = "refused", "Not imported: bad rows"
        FAILED = "failed", "Failed"

    FINAL = frozenset({Status.DONE, Status.REFUSED, Status.FAILED})

    kind = models.CharField(max_length=12, choices=Kind.choices)
    firm = models.ForeignKey(
        ClientFirm, null=True, blank=True, on_delete=models.CASCADE, related_name="import_jobs"
    )  # none for the registry (the agency's)
    contact_list = models.ForeignKey(
        ContactList, null=True, blank=True, on_delete=models.CASCADE, related_name="imports"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(storage=private_storage, upload_to="imports/", blank=True)
    file_name = models.CharField(max_length=255)  # as uploaded, for people to recognise
    file_format = models.CharField(max_length=4)  # csv | xlsx
    bytes_total = models.PositiveBigIntegerField(default=0)
    bytes_read = models.PositiveBigIntegerField(default=0)
    rows_read = models.PositiveIntegerField(default=0)
    rows_ok = models.PositiveIntegerField(default=0)
    rows_bad = models.PositiveIntegerField(default=0)
    rows_merged = models.PositiveIntegerField(default=0)  # duplicates folded into one contact
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"row": 7, "reason": "…"}], bounded
    message = models.CharField(max_length=500, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)  # the worker holding it
    requeues = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["firm", "created_at"], name="campaigns_import_firm_idx"),
            models.Index(
                fields=["status", "created_at"],
                condition=Q(status__in=["queued", "running", "applying"]),
                name="campaigns_import_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import {self.pk}: {self.status}"

    @property
    def percent(self) -> int:
        if self.status in self.FINAL:
            return 100
        if not self.bytes_total:
            return 0
        return min(99, self.bytes_read * 100 // self.bytes_total)


class ImportRow(models.Model):
    """A staged row of an import (a contact, a do-not-call number or a registry entry), kept
    only until the import is applied or refused. Numbers are E.164, already checked."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    row = models.PositiveIntegerField()  # its row number in the file (the header is 1)
    key = models.CharField(max_length=80)  # what duplicates are merged on
    data = models.JSONField()

    class Meta:
        indexes = [models.Index(fields=["job", "key"], name="campaigns_importrow_key_idx")]

    # --- Do-not-call ---------------------------------------------------------------------------

    def __str__(self) -> str:
        return f"row {self.row} of import {self.job_id}"


class SuppressionList(models.Model):
    """The firm's own do-not-call list: its version goes up with every change."""

    firm = models.OneToOneField(ClientFirm, on_delete=models.CASCADE, related_name="suppression")
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"do-not-call list of firm {self.firm_id}: v{self.version}"


class SuppressionEntry(models.Model):
    class Source(models.TextChoices):
        UPLOAD = "upload", "The firm's list"
        ADDED = "added", "Added by the firm"
        DISPOSITION = "disposition", "The contact asked an agent"
        OPT_OUT = "opt_out", "The contact pressed the opt-out key"

    firm = models.ForeignKey(ClientFirm, on_delete=models.CASCADE, related_name="suppressed")
    number = PhoneNumberField()
    source = models.CharField(max_length=12, choices=Source.choices)
    attempt = models.ForeignKey(
        "Attempt", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField()  # the list's version that added it
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["firm", "number"], name="campaigns_suppressed_once"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.source})"


class RegistryVersion(models.Model):
    """One extract of the national do-not-call registry (NCPR), uploaded by the agency. The
    newest complete one is what attempts are checked against; older ones stay as proof."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_name = models.CharField(max_length=255)
    entries = models.PositiveIntegerField(default=0)
    is_complete = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"registry v{self.pk}"


class RegistryEntry(models.Model):
    """A number on the registry: fully blocked, or blocked for some categories (a bit per
    TRAI category, `category_bit`)."""

    version = models.ForeignKey(RegistryVersion, on_delete=models.CASCADE, related_name="+")
    number = models.CharField(max_length=16)  # E.164
    fully_blocked = models.BooleanField(default=False)
    blocked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="campaigns_registry_once"),
            models.CheckConstraint(
                condition=Q(blocked__lte=ALL_CATEGORIES), name="campaigns_registry_bits"
            ),
        ]

    # --- Campaigns -----------------------------------------------------------------------------

    def __str__(self) -> str:
        return f"{self.number} in registry v{self.version_id}"


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"

    class Kind(models.TextChoices):
        CAMPAIGN = "campaign", "Campaign"
        CALLBACKS = "callbacks", "Callbacks"  # a line's scheduled callbacks, one per line

    class Purpose(models.TextChoices):
        PROMOTIONAL = "promotional", "Promotional (marketing)"
        SERVICE = "service", "Service (customers' own matters)"

    class Mode(models.TextChoices):
        PREVIEW = "preview", "Preview: the agent presses Call"
        PROGRESSIVE = "progressive", "Progressive: the next contact is dialled automatically"

    firm = models.ForeignKey(ClientFirm, on_delete=models.PROTECT, related_name="campaigns")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CAMPAIGN)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    category = models.CharField(max_length=1, choices=Category.choices)
    mode = models.CharField(max_length=12, choices=Mode.choices, default=Mode.PREVIEW)
    # The caller ID: one of the firm's lines. Its script and dispositions are the campaign's.
    line = models.ForeignKey(PhoneLine, on_delete=models.PROTECT, related_name="campaigns")
    sub_skill = models.CharField(max_length=40, blank=True)  # within the line's domain
    languages = models.JSONField(default=list, blank=True)  # codes; [] = any the agent speaks
    lists = models.ManyToManyField(ContactList, blank=True, related_name="campaigns")
    fields_shown = models.JSONField(default=list, blank=True)  # contact fields agents see
    starts_on = models.DateField()
    ends_on = models.DateField()
    # The campaign's own calling window in the contact's local time, inside 09:00-21:00 for
    # promotional calls, and the weekdays (0 = Monday) and dates it never calls.
    window_start = models.TimeField()
    window_end = models.TimeField()
    excluded_weekdays = models.JSONField(default=list, blank=True)
    excluded_dates = models.JSONField(default=list, blank=True)  # "YYYY-MM-DD"
    # Retry rules per outcome, in minutes (0: no retry), and the caps per contact.
    retry_no_answer_minutes = models.PositiveIntegerField(
        default=120, validators=RETRY_MINUTES.validators()
    )
    retry_busy_minutes = models.PositiveIntegerField(
        default=30, validators=RETRY_MINUTES.validators()
    )
    retry_failed_minutes = models.PositiveIntegerField(
        default=240, validators=RETRY_MINUTES.validators()
    )
    retry_machine_minutes = models.PositiveIntegerField(
        default=240, validators=RETRY_MINUTES.validators()
    )
    max_attempts = models.PositiveSmallIntegerField(default=3, validators=ATTEMPTS_MAX.validators())
    max_attempts_per_day = models.PositiveSmallIntegerField(
        default=2, validators=ATTEMPTS_A_DAY.validators()
    )
    agents = models.ManyToManyField(Engagement, through="CampaignAgent", related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lte=F("ends_on")), name="campaigns_campaign_dates_order"
            ),
            models.CheckConstraint(
                condition=Q(window_start__lt=F("window_end")),
                name="campaigns_campaign_window_order",
            ),
            ATTEMPTS_MAX.check("max_attempts", name="campaigns_campaign_attempts_range"),
            ATTEMPTS_A_DAY.check("max_attempts_per_day", name="campaigns_campaign_daily_range"),
            models.UniqueConstraint(
                fields=["line"], condition=Q(kind="callbacks"), name="campaigns_callbacks_one"
            ),
        ]
        indexes = [
            models.Index(fields=["firm", "status"], name="campaigns_campaign_firm_idx"),
            models.Index(
                fields=["status"],
                condition=Q(status__in=["scheduled", "running"]),
                name="campaigns_campaign_live_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignAgent(models.Model):
    """An engaged agent working a campaign: the engagement is the firm's, lists the
    campaign's line, and prices the agent's attempts."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assignments")
    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(AgentProfile, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "agent"], name="campaigns_agent_once"),
        ]
        indexes = [models.Index(fields=["agent", "campaign"], name="campaigns_agent_idx")]

    def __str__(self) -> str:
        return f"{self.agent_id} on campaign {self.campaign_id}"


class CampaignContact(models.Model):
    """A contact on a campaign: when it may next be called, by whom, how often it was."""

    class State(models.TextChoices):
        PENDING = "pending", "To call"
        PREVIEW = "preview", "Shown to an agent"
        DIALING = "dialing", "Being called"
        DONE = "done", "Done"
        REFUSED = "refused", "Not to be called"  # suppression, registry: final

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    next_attempt_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    attempts_day = models.DateField(null=True, blank=True)  # the contact's local day counted
    attempts_today = models.PositiveSmallIntegerField(default=0)
    # Held for one agent: shown in preview (until `held_until`), or a callback promised by
    # them (offered to them first, to anyone once `held_until` passes).
    agent = models.ForeignKey(
        AgentProfile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_until = models.DateTimeField(null=True, blank=True)
    callback_request = models.OneToOneField(
        CallbackRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    number = PhoneNumberField(blank=True)  # a callback's number; else the contact's first
    last_outcome = models.CharField(max_length=12, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "contact"], name="campaigns_target_once"),
            models.CheckConstraint(
                condition=~Q(state="preview") | Q(agent__isnull=False),
                name="campaigns_target_preview_has_agent",
            ),
        ]
        indexes = [
            # The next contact for a free agent: per campaign, due first, among pending ones.
            models.Index(
                fields=["campaign", "next_attempt_at", "id"],
                condition=Q(state="pending"),
                name="campaigns_target_due_idx",
            ),
            models.Index(
                fields=["agent", "next_attempt_at"],
                condition=Q(agent__isnull=False),
                name="campaigns_target_agent_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"contact {self.contact_id} on campaign {self.campaign_id}: {self.state}"


class Attempt(models.Model):
    """One try at one contact: refused by the consent check (never placed), or placed —
    then also a `routing.Call`. `checks` is the proof: what it was checked against."""

    class Status(models.TextChoices):
        REFUSED = "refused", "Not placed"
        AGENT = "agent", "Calling the agent"
        CONTACT = "contact", "Calling the contact"
        CONNECTED = "connected", "Talking"
        ENDED = "ended", "Ended"

    LIVE = frozenset({Status.AGENT, Status.CONTACT, Status.CONNECTED})

    class Outcome(models.TextChoices):
        REFUSED = "refused", "Refused by the consent check"
        CONNECTED = "connected", "Connected"
        NO_ANSWER = "no_answer", "No answer"
        BUSY = "busy", "Busy"
        FAILED = "failed", "Failed"
        MACHINE = "machine", "Answering machine"
        AGENT_MISSED = "agent_missed", "The agent did not answer"
        OPTED_OUT = "opted_out", "Opted out"
        LOST = "lost", "Lost (no word from the provider)"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="attempts")
    target = models.ForeignKey(CampaignContact, on_delete=models.CASCADE, related_name="tries")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    firm = models.ForeignKey(ClientFirm, on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(
        AgentProfile, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    engagement = models.ForeignKey(
        Engagement, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    number = PhoneNumberField()  # the contact's number tried; agents see it masked
    call = models.OneToOneField(
        Call, null=True, blank=True, on_delete=models.PROTECT, related_name="attempt"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    refused_reason = models.CharField(max_length=200, blank=True)
    # The proof: registry version and result, suppression and list versions, the window in
    # the contact's zone(s), purpose and category, each rule's verdict (campaigns.consent).
    checks = models.JSONField(default=dict)
    checked_at = models.DateTimeField()
    provider = models.CharField(max_length=32, blank=True)
    provider_call_id = models.CharField(max_length=64, blank=True)  # the agent's leg
    contact_call_id = models.CharField(max_length=64, blank=True)  # the contact's leg
    placed_at = models.DateTimeField(null=True, blank=True)
    agent_answered_at = models.DateTimeField(null=True, blank=True)
    connected_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    talk_seconds = models.PositiveIntegerField(null=True, blank=True)
    disposition = models.ForeignKey(
        DispositionCode, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    callback_at = models.DateTimeField(null=True, blank=True)  # "call me back at…"
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A contact is never dialled twice at once, whatever campaigns it is on.
            models.UniqueConstraint(
                fields=["contact"],
                condition=Q(status__in=["agent", "contact", "connected"]),
                name="campaigns_attempt_one_live_per_contact",
            ),
            models.UniqueConstraint(
                fields=["agent"],
                condition=Q(status__in=["agent", "contact", "connected"]),
                name="campaigns_attempt_one_live_per_agent",
            ),
            models.CheckConstraint(
                condition=Q(status="refused") | Q(agent__isnull=False),
                name="campaigns_attempt_placed_has_agent",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "created_at"], name="campaigns_attempt_camp_idx"),
            models.Index(fields=["contact", "created_at"], name="campaigns_attempt_contact_idx"),
            models.Index(fields=["agent", "created_at"], name="campaigns_attempt_agent_idx"),
            models.Index(
                fields=["created_at"],
                condition=Q(status__in=["agent", "contact", "connected"]),
                name="campaigns_attempt_live_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"attempt {self.pk}: {self.status} {self.outcome}"
