import datetime as dt
import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from phonenumber_field.modelfields import PhoneNumberField

from agents.attestations import CURRENT as CURRENT_ATTESTATIONS
from common.crypto import EncryptedTextField
from common.limits import Range
from common.taxids import pan_masked

# A field's limits, written once each: its validators and its CheckConstraint come from the
# same Range; services and forms use the field's validators.
TDS_RATE = Range(0, 100, "The rate is a percentage from {low} to {high}.")
PROFICIENCY = Range(1, 5, "Proficiency is from {low} to {high}.")
# Open email conversations an agent takes at once (mailroom); 0: none.
EMAIL_CAPACITY = Range(0, 10, "Take {low} to {high} email conversations at once.")
SKILL_LEVEL = Range(1, 5, "Level is from {low} to {high}.")
SKILL_YEARS = Range(0, 60, "Years of experience must be between {low} and {high}.")
# GeoNames ids are positive and fit a 32-bit integer column (the gazetteer's, and ours).
GEONAME_ID = Range(1, 2**31 - 1, "Choose a place from the list.")


class PrivateStorage(FileSystemStorage):
    """Files with no public URL at all: only permission-checked views stream them.

    The folder is read from settings.PRIVATE_MEDIA_ROOT at each use (FileSystemStorage
    caches it), because the model field builds its storage once, at import.
    """

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a checked view.")


def private_storage() -> FileSystemStorage:
    return PrivateStorage()


class AgentProfileQuerySet(models.QuerySet):
    def compliant_on(self, day: dt.date) -> "AgentProfileQuerySet":
        """Agents compliant on `day`: flagged compliant, and no approved check or certificate
        has expired by then (`compliant_until` is the earliest expiry; its day still counts).

        The one statement of the rule in SQL; `AgentProfile.is_compliant_on` is the same rule
        in Python (tests/agents/test_available_agents_selector.py keeps the two equal), and
        routing's SQL form is rendered from this one (`agents.selectors.agents_available_sql`).
        """
        return self.filter(
            Q(is_compliant=True), Q(compliant_until__isnull=True) | Q(compliant_until__gte=day)
        )


class AgentProfile(models.Model):
    """A home agent: one per user of the agent role, created at signup."""

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        IN_REVIEW = "in_review", "In review"
        VERIFIED = "verified", "Verified"
        REJECTED = "rejected", "Rejected"
        SUSPENDED = "suspended", "Suspended"

    class Duty(models.TextChoices):
        OFFLINE = "offline", "Offline"
        AVAILABLE = "available", "Available"
        RESERVED = "reserved", "Call offered"
        ON_CALL = "on_call", "On a call"
        WRAP_UP = "wrap_up", "Wrap-up"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.APPLIED)
    full_name = models.CharField(max_length=150, blank=True)
    former_employer = models.CharField(max_length=150, blank=True)

    phone = PhoneNumberField(blank=True)  # E.164
    phone_verified_at = models.DateTimeField(null=True, blank=True)

    geoname_id = models.IntegerField(null=True, blank=True, validators=GEONAME_ID.validators())
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=100, blank=True)
    country_code = models.CharField(max_length=2, default="IN")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="Asia/Kolkata")

    # Withholding tax (TDS) in percent; finance sets it, the agent sees it. 1% by default: a
    # home agent is an individual contractor paid under section 194C (settings.TDS_SECTION),
    # whose rate is 1% for an individual or HUF and 2% for others; finance raises it where the
    # law asks more (20% without a PAN, section 206AA — not applied by itself yet).
    tds_rate = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=1,
        validators=TDS_RATE.validators(),
    )

    # As the bank holds it, in Latin letters (agents.banking.validate_holder_name). Blank with an
    # account on file means the agent must give it again (bank_holder_name_missing): rows from
    # before the rule kept their name only when it was already Latin (migration 0009).
    bank_holder_name = models.CharField(max_length=150, blank=True)
    bank_ifsc = models.CharField(max_length=11, blank=True)  # empty for IBAN accounts
    # The account number or IBAN, encrypted at rest; only the last four digits in clear.
    bank_account = EncryptedTextField(blank=True)
    bank_account_last4 = models.CharField(max_length=4, blank=True)
    # The agent's PAN (common.taxids.pan_clean): printed whole on their own statement PDF and
    # the TDS summary (Form 16A needs it), shown masked everywhere else but to finance.
    pan = models.CharField(max_length=10, blank=True, verbose_name="PAN")

    duty_status = models.CharField(max_length=16, choices=Duty.choices, default=Duty.OFFLINE)
    duty_changed_at = models.DateTimeField(null=True, blank=True)  # "idle since" when available
    wrap_up_until = models.DateTimeField(null=True, blank=True)  # back to available then
    # Offers in a row the agent did not answer; three take them offline (agents.presence).
    no_answer_strikes = models.PositiveSmallIntegerField(default=0)
    duty_notice = models.CharField(max_length=255, blank=True)  # shown on the home page
    # Email (mailroom): how many open conversations the agent takes at once; 0: no email.
    email_capacity = models.PositiveSmallIntegerField(
        default=3, validators=EMAIL_CAPACITY.validators()
    )
    is_compliant = models.BooleanField(default=True)
    compliant_until = models.DateField(null=True, blank=True)  # earliest check expiry
    noncompliant_reason = models.CharField(max_length=255, blank=True)

    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgentProfileQuerySet.as_manager()

    class Meta:
        indexes = [
            # The vetting queue pages by (submitted_at, id) within a status (common.keyset):
            # with the id in the index, agents submitted at the same moment need no sort.
            models.Index(fields=["status", "submitted_at", "id"], name="agents_profile_queue_idx"),
            # Finance's TDS list, by name (common.keyset): a page is an index range.
            models.Index(fields=["full_name", "id"], name="agents_profile_name_idx"),
            # Routing looks only at verified, on-duty agents: keep that index small.
            models.Index(
                fields=["duty_status", "duty_changed_at"],
                condition=Q(status="verified"),
                name="agents_profile_duty_idx",
            ),
            # Routing's radius steps: the bounding box over available agents' coordinates.
            models.Index(
                fields=["latitude", "longitude"],
                condition=Q(status="verified", duty_status="available"),
                name="agents_profile_nearby_idx",
            ),
            # The routing sweep: wrap-ups that are over (without it, a scan of every agent).
            models.Index(
                fields=["wrap_up_until"],
                condition=Q(duty_status="wrap_up"),
                name="agents_profile_wrap_up_idx",
            ),
        ]
        constraints = [
            EMAIL_CAPACITY.check("email_capacity", name="agents_profile_email_capacity_range"),
            models.UniqueConstraint(
                fields=["phone"], condition=~Q(phone=""), name="agents_profile_phone_unique"
            ),
            TDS_RATE.check("tds_rate", name="agents_profile_tds_rate_range"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.user.email

    def is_compliant_on(self, day: dt.date) -> bool:
        """`AgentProfileQuerySet.compliant_on` for this one agent, in Python."""
        return self.is_compliant and (self.compliant_until is None or self.compliant_until >= day)

    @property
    def bank_holder_name_missing(self) -> bool:
        """An account on file but no name to pay it in: payouts to it stay out of bank files."""
        return bool(self.bank_account_last4) and not self.bank_holder_name

    @property
    def pan_masked(self) -> str:
        return pan_masked(self.pan)

    @property
    def bank_account_masked(self) -> str:
        return f"•••• {self.bank_account_last4}" if self.bank_account_last4 else ""


class AgentLanguage(models.Model):
    class Code(models.TextChoices):
        ENGLISH = "en", "English"
        HINDI = "hi", "Hindi"
        KANNADA = "kn", "Kannada"
        TAMIL = "ta", "Tamil"
        TELUGU = "te", "Telugu"
        MALAYALAM = "ml", "Malayalam"
        MARATHI = "mr", "Marathi"
        BENGALI = "bn", "Bengali"
        GUJARATI = "gu", "Gujarati"
        KONKANI = "kok", "Konkani"
        TULU = "tcy", "Tulu"

    agent = models.ForeignKey(AgentProfile, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(max_length=3, choices=Code.choices)
    proficiency = models.PositiveSmallIntegerField(validators=PROFICIENCY.validators())

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agent", "language"], name="agents_language_once"),
            PROFICIENCY.check("proficiency", name="agents_language_proficiency_range"),
        ]
        indexes = [models.Index(fields=["language", "agent"], name="agents_language_idx")]

    def __str__(self) -> str:
        return f"{self.get_language_display()} ({self.proficiency}/5)"


class AgentSkill(models.Model):
    class Domain(models.TextChoices):
        INSURANCE = "insurance", "Insurance"
        BANKING = "banking", "Banking"
        TELECOM = "telecom", "Telecom"
        RETAIL = "retail", "Retail"

    SUB_SKILLS = {
        Domain.INSURANCE: ["claims", "policy servicing", "sales", "renewals"],
        Domain.BANKING: ["cards", "loans", "accounts", "collections"],
        Domain.TELECOM: ["billing", "technical support", "number porting", "sales"],
        Domain.RETAIL: ["orders", "returns", "loyalty", "product advice"],
    }

    agent = models.ForeignKey(AgentProfile, on_delete=models.CASCADE, related_name="skills")
    domain = models.CharField(max_length=16, choices=Domain.choices)
    sub_skill = models.CharField(max_length=40, blank=True)  # empty: the domain in general
    level = models.PositiveSmallIntegerField(validators=SKILL_LEVEL.validators())
    years = models.PositiveSmallIntegerField(validators=SKILL_YEARS.validators())

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "domain", "sub_skill"], name="agents_skill_once"
            ),
            SKILL_LEVEL.check("level", name="agents_skill_level_range"),
            SKILL_YEARS.check("years", name="agents_skill_years_range"),
        ]
        indexes = [models.Index(fields=["domain", "agent"], name="agents_skill_idx")]

    def __str__(self) -> str:
        return f"{self.get_domain_display()} {self.sub_skill}".strip()


def speciality_choices() -> list:
    """The specialities agents choose from, grouped by domain, "" first (the domain in
    general): the one list a firm's requests and lines pick from too, so that what a firm asks
    for is spelled exactly as what agents have (free text matched nobody after a typo)."""
    return [("", "The domain in general")] + [
        (AgentSkill.Domain(domain).label, [(skill, skill) for skill in skills])
        for domain, skills in AgentSkill.SUB_SKILLS.items()
    ]


def speciality_error(domain: str, sub_skill: str) -> str:
    """Why `sub_skill` is no speciality of `domain` ('' when it is, or is blank)."""
    if not sub_skill or sub_skill in AgentSkill.SUB_SKILLS.get(domain, ()):
        return ""
    if domain not in AgentSkill.Domain.values:
        return "Choose a skill from the list first."
    label = AgentSkill.Domain(domain).label.lower()
    return f"“{sub_skill}” is not among the {label} specialities: choose one from the list."


class AgentDocument(models.Model):
    class Kind(models.TextChoices):
        IDENTITY = "identity", "Identity proof"
        ADDRESS = "address", "Address proof"
        CERTIFICATE = "certificate", "Certificate"

    agent = models.ForeignKey(AgentProfile, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=150, blank=True)
    file = models.FileField(storage=private_storage, upload_to="documents/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    expires_on = models.DateField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)  # expiry reminder sent
    expired_at = models.DateTimeField(null=True, blank=True)  # expiry handled by the task
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()


class AttestationAcceptance(models.Model):
    agent = models.ForeignKey(AgentProfile, on_delete=models.CASCADE, related_name="attestations")
    kind = models.CharField(max_length=32)
    version = models.PositiveSmallIntegerField()
    accepted_at = models.DateTimeField(auto_now_add=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "kind", "version"], name="agents_attestation_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version}"

    @property
    def title(self) -> str:
        attestation = CURRENT_ATTESTATIONS.get(self.kind)
        return attestation.title if attestation else self.kind


class VerificationCheck(models.Model):
    class Kind(models.TextChoices):
        IDENTITY = "identity", "Identity document"
        ADDRESS = "address", "Address document"
        BACKGROUND = "background", "Background check"
        INFOSEC_TRAINING = "infosec_training", "Information-security training"

    EXPIRING = frozenset({Kind.BACKGROUND, Kind.INFOSEC_TRAINING})

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        EXPIRED = "expired", "Expired"

    agent = models.ForeignKey(AgentProfile, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    expires_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agent", "kind"], name="agents_check_once"),
        ]
        indexes = [
            models.Index(
                fields=["expires_on"],
                condition=Q(status="approved"),
                name="agents_check_expiry_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_status_display()}"


class AvailabilityWindow(models.Model):
    """A weekly window in the agent's own time zone, also kept as UTC minutes of the week.

    The UTC copy (0 … 10079, Monday 00:00 UTC = 0) lets one indexed range query answer
    "available now" for every agent. A window that wraps past Sunday midnight UTC is
    stored as two rows. Zones with daylight saving would need a refresh when clocks change;
    our agents are in India (no DST).
    """

    agent = models.ForeignKey(AgentProfile, on_delete=models.CASCADE, related_name="availability")
    weekday = models.PositiveSmallIntegerField()  # 0 = Monday, local
    start = models.TimeField()
    end = models.TimeField()
    utc_start_minute = models.PositiveIntegerField()
    utc_end_minute = models.PositiveIntegerField()

    class Meta:
        ordering = ["weekday", "start"]
        indexes = [
            models.Index(
                fields=["agent", "utc_start_minute", "utc_end_minute"], name="agents_avail_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(utc_start_minute__lt=models.F("utc_end_minute")),
                name="agents_avail_nonempty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.start:%H:%M}-{self.end:%H:%M}"


class DutySpell(models.Model):
    """One stretch of an agent on duty (any duty state but offline), from going available to
    going offline; `ended_at` is null while it lasts. Written by the duty transitions
    (agents.presence.duty_spell_sync) so that schedules can measure adherence against it."""

    agent = models.ForeignKey(AgentProfile, on_delete=models.CASCADE, related_name="duty_spells")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "pk"]
        indexes = [models.Index(fields=["agent", "started_at"], name="agents_dutyspell_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["agent"],
                condition=Q(ended_at__isnull=True),
                name="agents_dutyspell_one_open",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="agents_dutyspell_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} on duty from {self.started_at:%Y-%m-%d %H:%M}"
