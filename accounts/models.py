from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower


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
        """Agency staff: vetting, finance and administrators. They must use TOTP."""
        return self.role in self.STAFF_ROLES or self.is_superuser

    def has_role(self, role: str) -> bool:
        # An agency administrator holds every staff role, never the agent or client role.
        if self.role == role:
            return True
        return role in self.STAFF_ROLES and (self.role == self.Role.ADMIN or self.is_superuser)
