"""Client firms, their people and phone lines, and the staffing marketplace.

A firm posts StaffingRequests; agents apply (an Application); an approved or assigned
application becomes an Engagement (agent x firm x lines, with the rate card), which is what
routing reads to know whose calls an agent may take.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Substr
from phonenumber_field.modelfields import PhoneNumberField

from agents.models import GEONAME_ID, AgentLanguage, AgentProfile, AgentSkill, speciality_error
from clients.prompts import PromptKey
from common.limits import Range
from common.taxids import STATE_CHOICES, state_label
from common.zoned import LocalDate, LocalTime, LocalWeekday

Domain = AgentSkill.Domain
Language = AgentLanguage.Code


class Currency(models.TextChoices):
    INR = "INR", "Indian rupee (INR)"
    USD = "USD", "US dollar (USD)"
    EUR = "EUR", "Euro (EUR)"
    GBP = "GBP", "Pound sterling (GBP)"


class ClientFirm(models.Model):
    class EngagementType(models.TextChoices):
        COMPLETE = "complete", "Complete BPO — the agency runs it, fixed fee per period"
        PARTIAL = "partial", "Partial BPO — we approve agents, billed per activity"

    name = models.CharField(max_length=150, unique=True)
    engagement_type = models.CharField(max_length=16, choices=EngagementType.choices)
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.INR)
    contact_name = models.CharField(max_length=150)
    contact_email = models.EmailField()
    contact_phone = PhoneNumberField(blank=True)
    # The firm as the recipient of tax invoices (billing.invoicing). The GSTIN is optional: an
    # unregistered recipient (B2C under GST) gets an invoice with its name, address and state;
    # a registered one (B2B) must give it, and the state is then the GSTIN's own (constraint).
    # The state is the place of supply (IGST Act s. 12(2)); with none on record, the invoice
    # takes the supplier's state, as the Act does for a recipient whose address is unknown.
    legal_name = models.CharField(max_length=200, blank=True)  # blank: the firm's name
    billing_address = models.TextField(max_length=500, blank=True)
    state = models.CharField(max_length=2, choices=STATE_CHOICES, blank=True)
    gstin = models.CharField(max_length=15, blank=True, verbose_name="GSTIN")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(gstin="") | Q(state=Substr("gstin", 1, 2)),
                name="clients_firm_gstin_state",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_partial(self) -> bool:
        return self.engagement_type == self.EngagementType.PARTIAL

    @property
    def state_label(self) -> str:
        return state_label(self.state) if self.state else ""


class FirmMember(models.Model):
    """A client user's seat in their firm: one firm per user."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        MEMBER = "member", "Member"

    firm = models.ForeignKey(ClientFirm, on_delete=models.CASCADE, related_name="members")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="firm_membership"
    )
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.firm})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN


class FirmInvite(models.Model):
    """An emailed invitation. Only the SHA-256 of its token is stored."""

    firm = models.ForeignKey(ClientFirm, on_delete=models.CASCADE, related_name="invites")
    email = models.EmailField()
    role = models.CharField(max_length=8, choices=FirmMember.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # At most one open invitation per address and firm: a re-invite replaces it.
            models.UniqueConstraint(
                fields=["firm", "email"],
                condition=Q(accepted_at__isnull=True),
                name="clients_invite_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.firm}"


# A field's limits, written once each: its validators and its CheckConstraint come from the
# same Range; forms and the API read the bounds from the field, services run the validators.
RING_TIMEOUT = Range(5, 120, "Ring for {low} to {high} seconds.")
WRAP_UP = Range(0, 600, "Wrap-up is {low} to {high} seconds.")
MAX_WAIT = Range(0, 1800, "The maximum wait is {low} to {high} seconds.")
MENU_DIGIT = Range(1, 9)
# The line's service level target: a call counts as answered in time when an agent answered
# within this many seconds of its place in the queue (routing's roll-ups count each day against
# the target the line had that day: routing.rollups).
SERVICE_LEVEL_TARGET = Range(1, 600, "The target is {low} to {high} seconds.")


class PhoneLine(models.Model):
    """A number the firm's customers dial (a DID), with how calls to it are handled."""

    firm = models.ForeignKey(ClientFirm, on_delete=models.CASCADE, related_name="lines")
    number = PhoneNumberField(unique=True)  # E.164, unique across the system
    name = models.CharField(max_length=100)
    domain = models.CharField(max_length=16, choices=Domain.choices)
    sub_skill = models.CharField(max_length=40, blank=True)
    # Where callers are assumed to be when their origin cannot be found (a gazetteer place).
    region_geoname_id = models.IntegerField(validators=GEONAME_ID.validators())
    region_name = models.CharField(max_length=150)
    region_latitude = models.FloatField()
    region_longitude = models.FloatField()
    time_zone = models.CharField(max_length=64, default="Asia/Kolkata")
    business_days = models.CharField(max_length=7, default="012345")  # weekday digits, 0=Mon
    opens_at = models.TimeField()
    closes_at = models.TimeField()
    ring_timeout_seconds = models.PositiveSmallIntegerField(
        default=20, validators=RING_TIMEOUT.validators()
    )
    wrap_up_seconds = models.PositiveSmallIntegerField(default=30, validators=WRAP_UP.validators())
    max_wait_seconds = models.PositiveSmallIntegerField(
        default=180, validators=MAX_WAIT.validators()
    )
    service_level_target_seconds = models.PositiveSmallIntegerField(
        default=20, validators=SERVICE_LEVEL_TARGET.validators()
    )
    # Routing widens the search in these steps ("50,300"), then anywhere; empty: anywhere.
    radius_steps_km = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__lt=F("closes_at")), name="clients_line_hours_order"
            ),
            RING_TIMEOUT.check("ring_timeout_seconds", name="clients_line_ring_timeout_range"),
            WRAP_UP.check("wrap_up_seconds", name="clients_line_wrap_up_range"),
            MAX_WAIT.check("max_wait_seconds", name="clients_line_max_wait_range"),
            SERVICE_LEVEL_TARGET.check(
                "service_level_target_seconds", name="clients_line_service_level_target_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"

    @property
    def speciality_unknown(self) -> bool:
        """A speciality typed before the shared list (kept by migration clients.0010 when it
        matched none of the list's spellings): no agent has it, so nobody matches."""
        return bool(speciality_error(self.domain, self.sub_skill))

    @property
    def radius_steps(self) -> list[float | None]:
        """The search radii in order, ending with None (anywhere)."""
        steps = sorted({float(x) for x in self.radius_steps_km.split(",") if x.strip()})
        return [*steps, None]


class LineLanguage(models.Model):
    """A language a line offers; with several, the caller picks one by its menu digit."""

    line = models.ForeignKey(PhoneLine, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(max_length=3, choices=Language.choices)
    menu_digit = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=MENU_DIGIT.validators()
    )

    class Meta:
        ordering = ["menu_digit", "id"]
        constraints = [
            models.UniqueConstraint(fields=["line", "language"], name="clients_line_language_once"),
            models.UniqueConstraint(fields=["line", "menu_digit"], name="clients_line_digit_once"),
            MENU_DIGIT.check("menu_digit", name="clients_line_language_digit_range"),
        ]

    def __str__(self) -> str:
        return self.get_language_display()


class LinePrompt(models.Model):
    """A firm's own text for one of its line's prompts in one language, in place of the
    catalogue's (clients.prompts). Kept apart from LineLanguage, which line_save rewrites."""

    line = models.ForeignKey(PhoneLine, on_delete=models.CASCADE, related_name="prompts")
    language = models.CharField(max_length=3, choices=Language.choices)
    key = models.CharField(max_length=16, choices=PromptKey.choices)
    text = models.CharField(max_length=500)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["language", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "language", "key"], name="clients_line_prompt_once"
            ),
            # No row is "the catalogue's text": an emptied prompt is deleted, not stored blank.
            models.CheckConstraint(condition=~Q(text=""), name="clients_line_prompt_text_set"),
            models.CheckConstraint(
                condition=Q(key__in=[k for k, _ in PromptKey.choices]),
                name="clients_line_prompt_key_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line} · {self.language} · {self.key}"


class RateUnit(models.TextChoices):
    PER_CALL = "call", "per call"
    PER_MINUTE = "minute", "per started minute"
    PER_SECOND = "second", "per second"


RADIUS_KM = Range(10, 3000)
# Upper ends: Erlang C sizes at most 10,000 agents (clients.erlang), so more calls, longer
# handle times or a larger headcount than these cannot be staffed anyway.
CALLS_PER_HOUR = Range(
    Decimal("0.1"), Decimal(50000), "Expected calls per hour are from {low} to {high}."
)
AHT_SECONDS = Range(1, 14400, "Average handle time is from {low} to {high} seconds.")
TARGET_LEVEL = Range(1, 99, "The target service level is a percentage from {low} to {high}.")
TARGET_SECONDS = Range(0, 3600)
SHRINKAGE = Range(0, 90, "Shrinkage is a percentage from {low} to {high}.")
HEADCOUNT = Range(1, 10000, "Ask for at least one agent and at most {high}.")
RATE = Range(Decimal("0.01"), Decimal(100000), "The rate must be more than zero, at most {high}.")
MINIMUM_PER_CALL = Range(Decimal(0), Decimal(100000), "The minimum per call is {low} to {high}.")


class StaffingRequest(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    firm = models.ForeignKey(ClientFirm, on_delete=models.CASCADE, related_name="requests")
    title = models.CharField(max_length=150)
    domain = models.CharField(max_length=16, choices=Domain.choices)
    sub_skill = models.CharField(max_length=40, blank=True)
    lines = models.ManyToManyField(PhoneLine, blank=True, related_name="requests")
    days = models.CharField(max_length=7, default="012345")  # weekday digits, 0=Mon
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    time_zone = models.CharField(max_length=64, default="Asia/Kolkata")
    start_date = models.DateField()
    end_date = models.DateField()
    region_radius_km = models.PositiveIntegerField(default=250, validators=RADIUS_KM.validators())

    calls_per_hour = models.DecimalField(
        max_digits=8, decimal_places=1, validators=CALLS_PER_HOUR.validators()
    )
    aht_seconds = models.PositiveIntegerField(validators=AHT_SECONDS.validators())
    # percent answered …
    target_level = models.PositiveSmallIntegerField(
        default=80, validators=TARGET_LEVEL.validators()
    )
    # … within this many seconds
    target_seconds = models.PositiveSmallIntegerField(
        default=20, validators=TARGET_SECONDS.validators()
    )
    shrinkage = models.PositiveSmallIntegerField(default=30, validators=SHRINKAGE.validators())
    # Erlang C's answer when the request was saved; the headcount the firm asks for.
    agents_needed = models.PositiveIntegerField(default=0)
    headcount = models.PositiveIntegerField(validators=HEADCOUNT.validators())

    rate_unit = models.CharField(max_length=8, choices=RateUnit.choices)
    # the firm pays, per unit
    rate = models.DecimalField(max_digits=10, decimal_places=2, validators=RATE.validators())
    minimum_per_call = models.DecimalField(
        max_digits=10, decimal_places=2, default=0, validators=MINIMUM_PER_CALL.validators()
    )
    currency = models.CharField(max_length=3, choices=Currency.choices)

    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "domain"], name="clients_request_open_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__lte=F("end_date")), name="clients_request_dates_order"
            ),
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")), name="clients_request_hours_order"
            ),
            RATE.check("rate", name="clients_request_rate_positive"),
            MINIMUM_PER_CALL.check("minimum_per_call", name="clients_request_minimum_nonnegative"),
            TARGET_LEVEL.check("target_level", name="clients_request_target_level_range"),
            SHRINKAGE.check("shrinkage", name="clients_request_shrinkage_range"),
            HEADCOUNT.check("headcount", name="clients_request_headcount_positive"),
            RADIUS_KM.check("region_radius_km", name="clients_request_radius_range"),
            CALLS_PER_HOUR.check("calls_per_hour", name="clients_request_calls_positive"),
            AHT_SECONDS.check("aht_seconds", name="clients_request_aht_positive"),
            TARGET_SECONDS.check("target_seconds", name="clients_request_target_seconds_range"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def speciality_unknown(self) -> bool:
        """A speciality typed before the shared list (kept by migration clients.0010 when it
        matched none of the list's spellings): no agent has it, so nobody matches."""
        return bool(speciality_error(self.domain, self.sub_skill))


class RequestLanguage(models.Model):
    request = models.ForeignKey(StaffingRequest, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(max_length=3, choices=Language.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "language"], name="clients_request_language_once"
            ),
        ]
        indexes = [models.Index(fields=["language", "request"], name="clients_req_lang_idx")]

    def __str__(self) -> str:
        return self.get_language_display()


class RequestRegion(models.Model):
    """A place the request serves: agents within the request's radius of it match."""

    request = models.ForeignKey(StaffingRequest, on_delete=models.CASCADE, related_name="regions")
    geoname_id = models.IntegerField(validators=GEONAME_ID.validators())
    name = models.CharField(max_length=150)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "geoname_id"], name="clients_request_region_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Application(models.Model):
    """An agent in a request's pool: applied, then approved or declined (or assigned)."""

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    request = models.ForeignKey(
        StaffingRequest, on_delete=models.CASCADE, related_name="applications"
    )
    agent = models.ForeignKey(AgentProfile, on_delete=models.CASCADE, related_name="applications")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPLIED)
    # True when the agency assigned the agent (complete BPO) rather than the agent applying.
    assigned_by_agency = models.BooleanField(default=False)
    reason = models.CharField(max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "agent"], name="clients_application_once"),
        ]

    def __str__(self) -> str:
        return f"{self.agent} → {self.request}"


class EngagementQuerySet(models.QuerySet):
    """ "This engagement covers this line at this moment", in parts, each chainable.

    The one statement of the rule: routing ranks with its SQL form
    (`clients.selectors.engagement_covering_sql`, compiled from `covering`), explains who
    was passed over with the parts (`on_line`, `started_by`, `not_ended_by`, `in_hours`),
    and billing prices an unrecorded call with `covering`. Every clock reading is the
    request's: its days, hours and dates are in its time zone, and so are the engagement's
    dates (the day "today" is, where the request is worked).
    """

    def on_line(self, line) -> "EngagementQuerySet":
        """Active, and the line (a PhoneLine or its id) is one of the engagement's lines —
        and one of its firm's (nothing else keeps an engagement's lines to its firm)."""
        return self.filter(status=Engagement.Status.ACTIVE, lines=line, lines__firm=F("firm"))

    def started_by(self, at: dt.datetime) -> "EngagementQuerySet":
        today = LocalDate(at, F("request__time_zone"))
        return self.filter(starts_on__lte=today, request__start_date__lte=today)

    def not_ended_by(self, at: dt.datetime) -> "EngagementQuerySet":
        today = LocalDate(at, F("request__time_zone"))
        return self.filter(ends_on__gte=today, request__end_date__gte=today)

    def in_hours(self, at: dt.datetime) -> "EngagementQuerySet":
        """On one of the request's days, from `starts_at` up to (not including) `ends_at`,
        as the line's own hours are read. Hours never cross midnight (a constraint)."""
        zone = F("request__time_zone")
        return self.filter(
            request__days__contains=LocalWeekday(at, zone),
            request__starts_at__lte=LocalTime(at, zone),
            request__ends_at__gt=LocalTime(at, zone),
        )

    def covering(self, *, line, at: dt.datetime) -> "EngagementQuerySet":
        """Engagements under which a call on `line` may be offered at `at`."""
        return self.on_line(line).started_by(at).not_ended_by(at).in_hours(at)


class Engagement(models.Model):
    """An agent working for a firm on some of its lines, at a rate card, between dates."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    firm = models.ForeignKey(ClientFirm, on_delete=models.PROTECT, related_name="engagements")
    agent = models.ForeignKey(AgentProfile, on_delete=models.PROTECT, related_name="engagements")
    request = models.ForeignKey(
        StaffingRequest, on_delete=models.PROTECT, related_name="engagements"
    )
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="engagement"
    )
    lines = models.ManyToManyField(PhoneLine, related_name="engagements")
    # The rate card, copied from the request when the engagement began: later edits to the
    # request never reprice work already agreed.
    rate_unit = models.CharField(max_length=8, choices=RateUnit.choices)
    client_rate = models.DecimalField(max_digits=10, decimal_places=2)
    agent_rate = models.DecimalField(max_digits=10, decimal_places=2)
    minimum_per_call = models.DecimalField(max_digits=10, decimal_places=2)
    agent_minimum_per_call = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, choices=Currency.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EngagementQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Routing: "is this agent engaged with this firm now?", answered from the index
            # alone (dates included), per agent or, for a big firm, per firm.
            models.Index(
                fields=["agent", "firm", "starts_on", "ends_on"],
                condition=Q(status="active"),
                name="clients_engagement_live_idx",
            ),
            models.Index(
                fields=["firm", "agent", "starts_on", "ends_on"],
                condition=Q(status="active"),
                name="clients_engagement_firm_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "agent"],
                condition=Q(status="active"),
                name="clients_engagement_one_active",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__lte=F("ends_on")), name="clients_engagement_dates_order"
            ),
            models.CheckConstraint(
                condition=Q(agent_rate__lte=F("client_rate")),
                name="clients_engagement_rate_margin",
            ),
            models.CheckConstraint(
                condition=Q(agent_minimum_per_call__lte=F("minimum_per_call")),
                name="clients_engagement_minimum_margin",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent} at {self.firm}"


class ApiKey(models.Model):
    """A firm's key for its own systems. Shown once; only its SHA-256 is kept.

    The key is 32 random bytes: a fast hash is enough (nothing to brute-force), and the
    8-character prefix, stored in clear, finds the row without scanning hashes.
    """

    firm = models.ForeignKey(ClientFirm, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, unique=True)
    key_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
