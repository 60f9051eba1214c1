"""Real headless Chromium (Debian's package) driven by Playwright for Python.

No browser download: Playwright launches /usr/bin/chromium. Screenshots of every browser
test land in test-artifacts/ for a person to look at; the page walk (test_every_page_walk.py:
every page of every role at 390 and 1366 px, checked with axe-core) keeps its own in
test-artifacts/page-walk/.
"""

import os
import re
import shutil
import threading
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def sign_in(page, url: str, email: str) -> None:
    """Sign in through allauth's form with the factories' password (staff: a TOTP step follows)."""
    from tests.factories import PASSWORD

    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Email:").fill(email)
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def sign_out(page, url: str) -> None:
    page.goto(f"{url}/accounts/logout/")
    page.get_by_role("button", name="Sign Out").click()


@pytest.fixture(scope="session", autouse=True)
def _one_sqlite_call_at_a_time():
    """On SQLite the test database is in memory, and Django's live server shares the test's one
    connection with every request thread (a page's polls run beside its other requests and the
    test's own ORM calls). CPython's sqlite3 can deadlock on a shared connection: one thread,
    in sqlite3_step with the connection's mutex, calls a Python SQL function (Django's
    date functions) and waits for the GIL, while another holds the GIL in a parameter bind
    and waits for that mutex. The whole run then hangs, timeouts included (seen in CI, in
    test_agent_previews_and_calls_in_the_browser). So every call into SQLite through
    Django's cursor, and each commit and rollback, takes one lock here; waiting on it frees
    the GIL. PostgreSQL gives each thread its own connection and needs none of this."""
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    from django.db.backends.sqlite3 import base

    lock = threading.RLock()
    patched = []
    for cls, names in (
        (
            base.SQLiteCursorWrapper,
            ("execute", "executemany", "fetchone", "fetchmany", "fetchall", "__next__", "close"),
        ),
        (base.DatabaseWrapper, ("_commit", "_rollback")),
    ):
        for name in names:
            original = getattr(cls, name)

            def locked(self, *args, _original=original, **kwargs):
                with lock:
                    return _original(self, *args, **kwargs)

            patched.append((cls, name, cls.__dict__.get(name)))
            setattr(cls, name, locked)
    yield
    for cls, name, own in reversed(patched):
        if own is None:
            delattr(cls, name)
        else:
            setattr(cls, name, own)


@pytest.fixture(scope="session")
def browser():
    chromium = shutil.which("chromium")
    if not chromium:
        pytest.skip("needs Debian's chromium")  # the marker check fails first under CI
    # Playwright's sync API runs an event loop in this thread; Django would refuse the
    # test's own ORM calls without this. Set for the browser tests only.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    # Anything the Content-Security-Policy refused (an inline script or style, a foreign
    # source) shows in the console as "Refused to …": the test fails on it (issue 13).
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if "Content Security Policy" in message.text or message.text.startswith("Refused to")
            else None
        ),
    )
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()
    assert not refused, "The Content-Security-Policy refused:\n" + "\n".join(refused)
