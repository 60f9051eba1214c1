"""Personas and switches shared by the whole suite.

Personas: alice and bob are home agents, carol an admin of the partial-BPO firm acme,
dave an admin of the complete-BPO firm globex, victor a vetting admin,
fiona in finance, root the agency administrator. Staff personas have TOTP enrolled
(secret STAFF_TOTP_SECRET); `totp_now()` gives the code a phone would show.

Switches: tests marked `postgres`, `broker` or `browser` skip with a reason on a machine
without that service — unless REQUIRE_POSTGRES / REQUIRE_BROKER / REQUIRE_BROWSER is set
(CI sets them), which turns the skip into a failure.
"""

import os
import shutil
import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core.cache import cache

from accounts.models import User
from tests.factories import (
    AgentProfileFactory,
    ClientFirmFactory,
    FirmMemberFactory,
    UserFactory,
)

STAFF_TOTP_SECRET = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"


def totp_now(secret: str = STAFF_TOTP_SECRET) -> str:
    # allauth accepts the current 30 s window only: a code read in a window's last second could
    # expire before the server checks it (a browser test failed so once): take the next one.
    period = mfa_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < 1.5:
        time.sleep(left + 0.05)
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def reauthenticated(client) -> None:
    """Mark the signed-in client's session as having just given the password again, as
    allauth's reauthentication page records it: for views behind `reauthentication_required`.
    """
    from allauth.account.internal.flows.login import record_authentication
    from django.contrib.auth import get_user
    from django.http import HttpRequest

    request = HttpRequest()
    request.session = client.session
    record_authentication(request, get_user(request), method="password", reauthenticated=True)
    request.session.save()


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
            _service_missing(
                "REQUIRE_BROKER", "needs a broker (set CELERY_BROKER_URL=amqp://… or redis://…)"
            )
    if item.get_closest_marker("browser") and not shutil.which("chromium"):
        _service_missing("REQUIRE_BROWSER", "needs Debian's chromium (apt-get install chromium)")


@pytest.fixture
def eager():
    """Celery runs tasks inline for the test, even where a broker is configured: the test's
    data is not committed, so a worker could not see it (the worker tests cover workers)."""
    from config.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


@pytest.fixture
def smsbox():
    from agents import sms

    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture(scope="session", autouse=True)
def _refdata_file():
    """The reference data file (common/refdata.py), built once before the first test when a
    fresh clone has none (CI), not by whichever test happens to look a place up first."""
    from common import refdata

    refdata.refdata_build()


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
def acme(db):
    """A partial-BPO firm (approves its own agents); carol is its admin."""
    return ClientFirmFactory(name="Acme Insurance", engagement_type="partial")


@pytest.fixture
def globex(db):
    """Another firm, complete BPO; dave is its admin. Nothing of acme's may reach it."""
    return ClientFirmFactory(name="Globex Telecom", engagement_type="complete")


@pytest.fixture
def carol(acme) -> User:
    return FirmMemberFactory(firm=acme, user__email="carol@firm.example").user


@pytest.fixture
def dave(globex) -> User:
    return FirmMemberFactory(firm=globex, user__email="dave@globex.example").user


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


def _database_url_of_test_db() -> str | None:
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor != "postgresql":
        return None  # an in-memory SQLite test database cannot be shared with another process
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture(scope="module")
def celery_worker(django_db_setup, django_db_blocker):
    """A real `celery worker` process on the configured broker, using the test database.

    Tasks it runs see only committed data: use it from `transaction=True` tests.

    It lives for the module that asks for it, not the session. A session's worker went on
    running what later transactional tests published and nobody waited for (wrap-up ends with
    a countdown, campaign ticks): one such task held rows while a later test's teardown
    truncated the tables, and the flush failed. Starting it costs a few seconds a module.
    """
    import subprocess
    import sys
    import time
    from pathlib import Path

    from django.conf import settings

    from config.celery import app

    if not settings.CELERY_BROKER_URL:
        _service_missing(
            "REQUIRE_BROKER", "needs a broker (set CELERY_BROKER_URL=amqp://… or redis://…)"
        )
    env = dict(os.environ)
    with django_db_blocker.unblock():
        db_url = _database_url_of_test_db()
    if db_url:
        env["DATABASE_URL"] = db_url
    # The settings pytest_configure gives this process, where a task needs them too: the
    # field key (a webhook's secret is encrypted) and the tests' local receivers' hosts.
    env["FIELD_ENCRYPTION_KEYS"] = ",".join(settings.FIELD_ENCRYPTION_KEYS)
    env["OUTBOUND_ALLOW_HOSTS"] = ",".join(settings.OUTBOUND_ALLOW_HOSTS)
    hostname = f"pytest-{os.getpid()}@%h"
    # With a real broker a test's .delay() publishes whether a worker runs or not; messages an
    # earlier test (or run) left name rows long rolled back, and this solo worker would work
    # through them before the first test's own task. Nobody waits for them: drop them.
    app.control.purge()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tests.celery_worker_app",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-n",
            hostname,
        ],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"celery worker exited early with code {process.returncode}")
            if app.control.ping(timeout=0.5):
                break
        else:
            pytest.fail("celery worker did not answer a ping within 60 s")
        yield process
    finally:
        process.terminate()  # a warm shutdown: the task in hand finishes, the rest go back
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def pytest_configure(config):
    from django.conf import settings

    # Password hashing dominates test time; the suite does not test PBKDF2 itself.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # pytest-django runs with DEBUG off, so the development key fallback does not apply.
    settings.SMS_BACKEND = "agents.sms.LocmemBackend"
    settings.OUTBOUND_ALLOW_HOSTS = ["127.0.0.1", "localhost"]  # the tests' local receivers
    settings.FIELD_ENCRYPTION_KEYS = ["Xq3b8m0cW1rJd8o0bq2m5Xn4u9Yt7Zp6Lk3Hs2Ge1Fc="]


@pytest.fixture
def imap_server():
    """The throwaway IMAP server `.ci/dovecot.sh` starts (its `export` lines in the
    environment): skipped without it, a failure with REQUIRE_IMAP set (CI)."""
    from types import SimpleNamespace

    if not os.environ.get("MAILROOM_TEST_IMAP_HOST"):
        _service_missing(
            "REQUIRE_IMAP",
            'needs an IMAP server (eval "$(.ci/dovecot.sh)" sets MAILROOM_TEST_IMAP_*)',
        )
    env = os.environ
    return SimpleNamespace(
        host=env["MAILROOM_TEST_IMAP_HOST"],
        port=int(env["MAILROOM_TEST_IMAP_PORT"]),
        ssl_port=int(env.get("MAILROOM_TEST_IMAP_SSL_PORT") or 0),
        user=env["MAILROOM_TEST_IMAP_USER"],
        password=env["MAILROOM_TEST_IMAP_PASSWORD"],
        ca_file=env.get("MAILROOM_TEST_IMAP_CA_FILE", ""),
    )
