from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        extra.update(is_staff=True, is_superuser=True, role=User.Role.ADMIN)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in with an email address. One role each; see `has_role`."""

    class Role(models.TextChoices):
        AGENT = "agent", "Home agent"
        CLIENT = "client", "Client user"
        VETTING = "vetting", "Vetting admin"
        FINANCE = "finance", "Finance"
        ADMIN = "admin", "Agency administrator"
        TEAM_LEAD = "team_lead", "Team lead"

    STAFF_ROLES = frozenset({Role.VETTING, Role.FINANCE, Role.ADMIN})

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_staff_role(self) -> bool:
        """Agency staff: vetting, finance and administrators."""
        return self.role in self.STAFF_ROLES or self.is_superuser

    @property
    def needs_totp(self) -> bool:
        """Staff, and team leads (issue 19), who see their team's calls but are not staff: their
        pages open only with TOTP, their sessions end idle."""
        return self.is_staff_role or self.role == self.Role.TEAM_LEAD

    def has_role(self, role: str) -> bool:
        # An agency administrator holds every staff role, never the agent or client role.
        if self.role == role:
            return True
        return role in self.STAFF_ROLES and (self.role == self.Role.ADMIN or self.is_superuser)


class Notification(models.Model):
    """One thing a user was told about, on the page (the bell) and, unless turned off, by email.

    Written only by `accounts.notifications.notification_send`, in the caller's transaction.
    `key` names the event for one-shot events (an invoice, a line's day): one row per
    (recipient, kind, key), so an event that fires twice tells nobody twice.
    """

    class Kind(models.TextChoices):
        # The labels are what the preferences page shows: "Tell me when …"
        ACCOUNT_DECIDED = "account_decided", "A decision is taken on my application or account"
        POOL_DECIDED = "pool_decided", "A firm decides on my application to its pool"
        ENGAGEMENT_STARTED = "engagement_started", "The agency engages me with a firm"
        ENGAGEMENT_ENDED = "engagement_ended", "An engagement of mine ends"
        STATEMENT_READY = "statement_ready", "A statement of my earnings is ready"
        PAYOUT_PAID = "payout_paid", "A payout to me is paid"
        APPLICANT_WAITING = "applicant_waiting", "An agent applies to one of our requests"
        INVOICE_ISSUED = "invoice_issued", "An invoice is issued to our firm"
        SERVICE_LEVEL_LOW = "service_level_low", "A line's service level was below target"
        PROFILE_SUBMITTED = "profile_submitted", "An agent's profile waits for review"
        RUN_FAILED = "run_failed", "A settlement run failed"
        WEBHOOK_PAUSED = "webhook_paused", "One of our webhook endpoints is paused after failing"
        CALL_SCORED = "call_scored", "One of my calls is scored for quality"
        MAILBOX_FAILING = "mailbox_failing", "One of our IMAP mailboxes is paused after failing"
        EMAIL_SLA_BREACHED = "email_sla_breached", "An email's first-response target is missed"
        TAKEN_OFF_DUTY = "taken_off_duty", "My team lead takes me off duty"
        NO_SHOW = "no_show", "An agent of my team missed a booked half-hour"

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)  # a path of ours, e.g. /agent/
    key = models.CharField(max_length=100, blank=True)  # the event, for one-shot kinds
    on_page = models.BooleanField(default=True)  # False: the recipient wanted email only
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "key"],
                condition=~Q(key=""),
                name="accounts_notification_once",
            ),
        ]
        indexes = [
            # The list, newest first (keyset on created_at, pk).
            models.Index(
                fields=["recipient", "-created_at", "-id"], name="accounts_notif_list_idx"
            ),
            # The bell on every page: a count over the recipient's unread rows only.
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True, on_page=True),
                name="accounts_notif_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.title}"


Kind = Notification.Kind

# Who can receive which kind: the preferences page offers a user the kinds of their role.
KIND_ROLES: dict[str, frozenset[str]] = {
    Kind.ACCOUNT_DECIDED: frozenset({User.Role.AGENT}),
    Kind.POOL_DECIDED: frozenset({User.Role.AGENT}),
    Kind.ENGAGEMENT_STARTED: frozenset({User.Role.AGENT}),
    Kind.ENGAGEMENT_ENDED: frozenset({User.Role.AGENT}),
    Kind.STATEMENT_READY: frozenset({User.Role.AGENT}),
    Kind.PAYOUT_PAID: frozenset({User.Role.AGENT}),
    Kind.APPLICANT_WAITING: frozenset({User.Role.CLIENT}),
    Kind.INVOICE_ISSUED: frozenset({User.Role.CLIENT}),
    Kind.SERVICE_LEVEL_LOW: frozenset({User.Role.CLIENT}),
    Kind.PROFILE_SUBMITTED: frozenset({User.Role.VETTING}),
    Kind.RUN_FAILED: frozenset({User.Role.FINANCE}),
    Kind.WEBHOOK_PAUSED: frozenset({User.Role.CLIENT}),
    Kind.CALL_SCORED: frozenset({User.Role.AGENT}),
    Kind.MAILBOX_FAILING: frozenset({User.Role.CLIENT}),
    Kind.EMAIL_SLA_BREACHED: frozenset({User.Role.ADMIN, User.Role.VETTING}),
    Kind.TAKEN_OFF_DUTY: frozenset({User.Role.AGENT}),
    Kind.NO_SHOW: frozenset({User.Role.TEAM_LEAD}),
}


class NotificationSetting(models.Model):
    """A user's choice for one kind, kept only where it differs from the default (both on)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notification_settings")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    email = models.BooleanField(default=True)
    page = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="accounts_notifsetting_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} email={self.email} page={self.page}"
