"""Demo users, one per role. Demo data only: fixed password, fixed TOTP secret."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP

from accounts.models import User

DEMO_PASSWORD = "homeshore-demo"
# Base32; the demo's staff share it so a tester needs one authenticator entry.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPHOMESHRE"

DEMO_USERS = [
    ("admin@homeshore.example", "Asha Admin", User.Role.ADMIN),
    ("vetting@homeshore.example", "Vikram Vetting", User.Role.VETTING),
    ("finance@homeshore.example", "Farah Finance", User.Role.FINANCE),
]


def demo_user(email: str, *, name: str, role: str) -> User:
    """Create or refresh one demo user with a verified email address."""
    user, _ = User.objects.get_or_create(email=email, defaults={"name": name, "role": role})
    user.name, user.role = name, role
    user.is_superuser = user.is_staff = role == User.Role.ADMIN
    user.set_password(DEMO_PASSWORD)
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def demo_totp(user: User) -> None:
    """(Re)set the demo TOTP secret; recovery codes are made once."""
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    TOTP.activate(user, DEMO_TOTP_SECRET)
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists():
        RecoveryCodes.activate(user)


def seed_users() -> list[tuple[str, str]]:
    logins = []
    for email, name, role in DEMO_USERS:
        user = demo_user(email, name=name, role=role)
        if user.needs_totp:
            demo_totp(user)
        label = User.Role(role).label
        logins.append((email, f"{label}, two-factor (TOTP)" if user.needs_totp else label))
    return logins
