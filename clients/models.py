"""Client firms, their people and phone lines, and the staffing marketplace.

A firm posts StaffingRequests; agents apply (an Application); an approved or assigned
application becomes an Engagement (agent x firm x lines, with the rate card), which is what
routing reads to know whose calls an agent may take.
"""

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Substr
from phonenumber_field.modelfields import PhoneNumberField

from agents.models import GEONAME_ID, AgentLanguage, AgentProfile, AgentSkill, speciality_error
from clients.prompts import PromptKey
from common.crypto import EncryptedTextField
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
    # Agents' wrap-up notes go out in the firm's call records (API, CSV) only when it says so;
    # the call's page shows them to the firm's own users either way.
    notes_in_records = models.BooleanField(default=False)
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
# A returning caller is offered first to the agent who last served them, within this many
# days of that call (0: never; routing.services.deciding).
STICKY_DAYS = Range(0, 90, "Returning callers go back to their agent for {low} to {high} days.")


class ContextSource(models.TextChoices):
    NONE = "none", "No customer context"
    LOOKUP = "lookup", "Our lookup endpoint"
    CONTACTS = "contacts", "Our uploaded contact records"


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
    # The agent's workspace (issue 16). Where an agent may send a caller: another of the
    # firm's lines, or this number (the firm's own escalation desk). Never an agent's phone.
    escalation_number = PhoneNumberField(blank=True)
    # After the agent hangs up, the caller may rate the call on the keypad (1-5).
    survey_enabled = models.BooleanField(default=False)
    sticky_days = models.PositiveSmallIntegerField(default=0, validators=STICKY_DAYS.validators())
    # Franchise-first (issue 19): the nearest franchise (a local team) with a free eligible
    # agent takes the call, its nearest such agent; nobody in any: the nearest agent anywhere.
    route_franchise_first = models.BooleanField(default=False)
    # Customer context shown to the agent during a call: none, the firm's lookup endpoint
    # (HTTPS, signed the Standard Webhooks way with `context_secret`, 1 s), or the firm's
    # uploaded contact records. Only the fields named in `context_fields` reach the agent,
    # in that order; the context is deleted when the wrap-up ends unless `context_keep`.
    context_source = models.CharField(
        max_length=8, choices=ContextSource.choices, default=ContextSource.NONE
    )
    context_url = models.URLField(max_length=500, blank=True)
    context_secret = EncryptedTextField(blank=True)  # whsec_…: never shown again once set
    context_fields = models.JSONField(default=list, blank=True)  # ["plan", "open_ticket"]
    context_keep = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__lt=F("closes_at")), name="clients_line_hours_order"
            ),
            STICKY_DAYS.check("sticky_days", name="clients_line_sticky_days_range"),
            models.CheckConstraint(
                condition=~Q(context_source="lookup") | ~Q(context_url=""),
                name="clients_line_lookup_has_url",
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


class OutboundRateUnit(models.TextChoices):
    """How outbound work is priced (issue 17): a call the contact answered, each started
    minute of talk with the contact, or every attempt placed (answered or not)."""

    PER_CONNECT = "connect", "per connected call"
    PER_MINUTE = "minute", "per started minute"
    PER_ATTEMPT = "attempt", "per attempt"


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
    # Outbound work (campaigns) has rates of its own; none: the request takes no outbound work.
    outbound_rate_unit = models.CharField(
        max_length=8, choices=OutboundRateUnit.choices, default=OutboundRateUnit.PER_CONNECT
    )
    outbound_rate = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, validators=RATE.validators()
    )
    # Email (mailroom): a handled conversation (first reply sent) and a campaign email each
    # have a rate of their own; none: the request takes no such work.
    email_rate = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, validators=RATE.validators()
    )
    campaign_email_rate = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, validators=RATE.validators()
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
            RATE.check("outbound_rate", name="clients_request_outbound_rate_positive"),
            RATE.check("email_rate", name="clients_request_email_rate_positive"),
            RATE.check("campaign_email_rate", name="clients_request_campaign_email_rate_positive"),
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
        return self.filter(_started(LocalDate(at, F("request__time_zone"))))

    def not_ended_by(self, at: dt.datetime) -> "EngagementQuerySet":
        return self.filter(_not_ended(LocalDate(at, F("request__time_zone"))))

    def in_hours(self, at: dt.datetime) -> "EngagementQuerySet":
        """On one of the request's days, from `starts_at` up to (not including) `ends_at`,
        as the line's own hours are read. Hours never cross midnight (a constraint)."""
        zone = F("request__time_zone")
        return self.filter(_in_hours(LocalWeekday(at, zone), LocalTime(at, zone)))

    def covering(self, *, line, at: dt.datetime) -> "EngagementQuerySet":
        """Engagements under which a call on `line` may be offered at `at`."""
        return self.on_line(line).started_by(at).not_ended_by(at).in_hours(at)

    def covering_by_zone(self, *, line, at: dt.datetime) -> "EngagementQuerySet":
        """`covering`, with each zone's clock read once, in Python, instead of on every row.

        The same rule (the same clauses, given constants instead of the row's local clock),
        for a query that asks it of every engaged agent at once, as email routing does: on
        SQLite each local-clock reading is a Python function called per row (800 engagements
        cost 60-90 ms a route, bench/mail_bench.py). One query more: the zones of the
        requests of the line's engagements, usually one.
        tests/clients/test_covering_by_zone.py keeps the two forms equal.
        """
        on_line = self.on_line(line)
        zones = on_line.order_by("request__time_zone").values_list("request__time_zone", flat=True)
        zones = list(zones.distinct())
        if not zones:
            return on_line.none()
        clauses = Q()
        for zone in zones:
            local = at.astimezone(zoneinfo.ZoneInfo(zone))
            day, weekday, clock = local.date(), str(local.weekday()), local.time()
            clauses |= (
                Q(request__time_zone=zone)
                & _started(day)
                & _not_ended(day)
                & _in_hours(weekday, clock)
            )
        return on_line.filter(clauses)


# The clauses of "covers", given the request's local day, weekday digit ("0" = Monday) and
# time: either SQL expressions of each row's own zone (`common.zoned`) or one zone's values.
def _started(day) -> Q:
    return Q(starts_on__lte=day, request__start_date__lte=day)


def _not_ended(day) -> Q:
    return Q(ends_on__gte=day, request__end_date__gte=day)


def _in_hours(weekday, clock) -> Q:
    return Q(
        request__days__contains=weekday, request__starts_at__lte=clock, request__ends_at__gt=clock
    )


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
    # Outbound rates (campaigns), copied from the request the same way; null: none agreed.
    outbound_rate_unit = models.CharField(
        max_length=8, choices=OutboundRateUnit.choices, default=OutboundRateUnit.PER_CONNECT
    )
    outbound_client_rate = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True
    )
    outbound_agent_rate = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True
    )
    # Email rates (mailroom), copied the same way: a handled conversation; null: none agreed.
    email_client_rate = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    email_agent_rate = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
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
            models.CheckConstraint(
                condition=Q(email_agent_rate__isnull=True, email_client_rate__isnull=True)
                | Q(email_agent_rate__lte=F("email_client_rate")),
                name="clients_engagement_email_margin",
            ),
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
            models.CheckConstraint(
                condition=Q(outbound_agent_rate__isnull=True, outbound_client_rate__isnull=True)
                | Q(outbound_agent_rate__lte=F("outbound_client_rate")),
                name="clients_engagement_outbound_margin",
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


# --- The agent's workspace (issue 16): scripts, dispositions, contacts, scorecards ---------

SCRIPT_BODY_MAX = 20000
SCORE_WEIGHT = Range(1, 100, "A weight is {low} to {high}.")
SCORE_RATING = Range(0, 5, "A rating is {low} to {high}.")


class LineScript(models.Model):
    """One version of what agents read on a line, in one language ("": the line's default,
    for a call in a language with no script of its own). Markdown, rendered sanitised
    (`clients.scripts`). A save writes the next version; older versions stay, and a call
    records the version its agent was shown."""

    line = models.ForeignKey(PhoneLine, on_delete=models.CASCADE, related_name="scripts")
    language = models.CharField(max_length=3, choices=Language.choices, blank=True)
    version = models.PositiveIntegerField()
    body = models.TextField(max_length=SCRIPT_BODY_MAX)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["line", "language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "language", "version"], name="clients_script_version_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line} · {self.language or 'default'} · v{self.version}"


class DispositionCode(models.Model):
    """One of a line's wrap-up codes, in the firm's own wording. Retired, never deleted:
    calls keep the code they were given (PROTECT)."""

    class Kind(models.TextChoices):
        RESOLVED = "resolved", "Resolved"
        ESCALATED = "escalated", "Escalated"
        CALLBACK = "callback", "Callback needed"
        COMPLAINT = "complaint", "Complaint"
        SALE = "sale", "Sale"
        # Outbound (issue 17): the contact asked never to be called again (suppressed), or
        # a machine answered (retried by the campaign's rule for machines).
        DO_NOT_CALL = "do_not_call", "Do not call again"
        MACHINE = "machine", "Answering machine"
        OTHER = "other", "Other"

    line = models.ForeignKey(PhoneLine, on_delete=models.CASCADE, related_name="dispositions")
    code = models.CharField(max_length=32)  # the firm's own code, e.g. "RES" (in its records)
    label = models.CharField(max_length=80)  # what the agent picks, in the firm's words
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.OTHER)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["line", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["line", "code"], name="clients_disposition_code_once"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.code})"


class Contact(models.Model):
    """One of the firm's customers, from its uploaded records: what a line whose context
    source is "contacts" shows the agent (the fields the line chose), and what the outbound
    campaigns call. The firm's data: only the firm, the agency's staff and the agent on a
    call with the contact see it."""

    firm = models.ForeignKey(ClientFirm, on_delete=models.CASCADE, related_name="contacts")
    external_id = models.CharField(max_length=64, blank=True)  # the firm's own id, if any
    name = models.CharField(max_length=150, blank=True)
    language = models.CharField(max_length=3, choices=Language.choices, blank=True)
    # The contact's email address (lower case), for email campaigns (mailroom); "" when none.
    email = models.EmailField(blank=True)
    # The contact's IANA time zone: given in the list, else the number's when it has only
    # one; "" when unknown (then only hours valid in all its number's zones are used).
    time_zone = models.CharField(max_length=64, blank=True)
    fields = models.JSONField(default=dict, blank=True)  # the firm's own columns, as text
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["firm", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "external_id"],
                condition=~Q(external_id=""),
                name="clients_contact_external_id_once",
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"contact {self.pk}"


class ContactNumber(models.Model):
    """A number of a contact (E.164). A number is one contact's within a firm: an incoming
    caller's number finds at most one record."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="numbers")
    firm = models.ForeignKey(ClientFirm, on_delete=models.CASCADE, related_name="+")
    number = PhoneNumberField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["firm", "number"], name="clients_contact_number_once"),
        ]

    def __str__(self) -> str:
        return str(self.number)


class Scorecard(models.Model):
    """The firm's quality form: criteria with weights. A call's score is the weighted mean
    of its ratings (0-5), as a percentage (routing.quality)."""

    firm = models.ForeignKey(ClientFirm, on_delete=models.CASCADE, related_name="scorecards")
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["firm", "name"]
        constraints = [
            models.UniqueConstraint(fields=["firm", "name"], name="clients_scorecard_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class ScorecardCriterion(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="criteria")
    label = models.CharField(max_length=150)
    weight = models.PositiveSmallIntegerField(default=1, validators=SCORE_WEIGHT.validators())
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["scorecard", "position", "id"]
        constraints = [
            SCORE_WEIGHT.check("weight", name="clients_criterion_weight_range"),
        ]

    def __str__(self) -> str:
        return f"{self.label} (weight {self.weight})"


# --- What firms get back (issue 16): events out to the firm's webhook endpoints -----------


class WebhookEvent(models.TextChoices):
    CALL_ANSWERED = "call.answered", "Call answered"
    CALL_ENDED = "call.ended", "Call ended (disposition and duration)"
    CALL_MISSED = "call.missed", "Call missed"
    VOICEMAIL_LEFT = "voicemail.left", "Voicemail left"
    INVOICE_ISSUED = "invoice.issued", "Invoice issued"


class WebhookEndpoint(models.Model):
    """A firm's URL that receives the events it chose, signed the Standard Webhooks way.

    `is_active` is the firm's own switch; `paused_at` is ours: set when deliveries have failed
    for a day (`failing_since`), cleared when the firm resumes it. Deliveries wait meanwhile."""

    firm = models.ForeignKey(ClientFirm, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=100, blank=True)
    secret = EncryptedTextField()  # whsec_…: shown to the firm once, on creation
    events = models.JSONField(default=list)  # WebhookEvent values
    is_active = models.BooleanField(default=True)
    failing_since = models.DateTimeField(null=True, blank=True)  # first failure of the streak
    paused_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["firm", "created_at", "id"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint: written in the transaction of the fact it tells (the
    outbox), sent by Celery, retried with backoff; `message_id` (the `webhook-id` header) is
    the same on every try and on a replay, so the firm can drop repeats."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (retries used up)"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=32, choices=WebhookEvent.choices)
    message_id = models.CharField(max_length=40, unique=True)  # "msg_" + 32 hex
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["endpoint", "created_at"], name="clients_delivery_endpoint_idx"),
            # The sweep's due deliveries: few pending among many delivered.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="clients_delivery_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One try of a delivery: what the endpoint answered (the delivery log)."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="tries")
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)  # None: no answer
    error = models.CharField(max_length=300, blank=True)
    elapsed_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} @ {self.at:%H:%M:%S}: {self.status_code}"
