"""Personas and switches shared by the whole suite.

Personas: alice and bob are home agents, carol a client user, victor a vetting admin,
fiona in finance, root the agency administrator. Staff personas have TOTP enrolled
(secret STAFF_TOTP_SECRET); `totp_now()` gives the code a phone would show.

Switches: tests marked `postgres`, `broker` or `browser` skip with a reason on a machine
without that service — unless REQUIRE_POSTGRES / REQUIRE_BROKER / REQUIRE_BROWSER is set
(CI sets them), which turns the skip into a failure.
"""

import os
import shutil

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core.cache import cache

from accounts.models import User
from tests.factories import AgentProfileFactory, UserFactory

STAFF_TOTP_SECRET = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"


def totp_now(secret: str = STAFF_TOTP_SECRET) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def _service_missing(switch: str, reason: str) -> None:
    if os.environ.get(switch):
        pytest.fail(f"{reason} — and {switch} is set, so this must not be skipped")
    pytest.skip(reason)


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres"):
        from django.db import connection

        if connection.vendor != "postgresql":
            _service_missing("REQUIRE_POSTGRES", "needs PostgreSQL (set DATABASE_URL=postgres://…)")
    if item.get_closest_marker("broker"):
        from django.conf import settings

        if not settings.CELERY_BROKER_URL:
            _service_missing("REQUIRE_BROKER", "needs a broker (set CELERY_BROKER_URL=redis://…)")
    if item.get_closest_marker("browser") and not shutil.which("chromium"):
        _service_missing("REQUIRE_BROWSER", "needs Debian's chromium (apt-get install chromium)")


@pytest.fixture(autouse=True)
def _clear_cache():
    # allauth keeps rate-limit counters in the cache: a test must not inherit another's.
    cache.clear()
    yield
    cache.clear()


def _staff(email: str, role: str, **extra) -> User:
    user = UserFactory(email=email, role=role, **extra)
    TOTP.activate(user, STAFF_TOTP_SECRET)
    return user


@pytest.fixture
def alice(db) -> User:
    return AgentProfileFactory(user__email="alice@example.com", full_name="Alice Agent").user


@pytest.fixture
def bob(db) -> User:
    return AgentProfileFactory(user__email="bob@example.com", full_name="Bob Agent").user


@pytest.fixture
def carol(db) -> User:
    return UserFactory(email="carol@firm.example", role=User.Role.CLIENT)


@pytest.fixture
def victor(db) -> User:
    return _staff("victor@homeshore.example", User.Role.VETTING)


@pytest.fixture
def fiona(db) -> User:
    return _staff("fiona@homeshore.example", User.Role.FINANCE)


@pytest.fixture
def root(db) -> User:
    return _staff("root@homeshore.example", User.Role.ADMIN, is_superuser=True, is_staff=True)


@pytest.fixture
def staff_without_totp(db) -> User:
    return UserFactory(email="newbie@homeshore.example", role=User.Role.VETTING)


def has_totp(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
