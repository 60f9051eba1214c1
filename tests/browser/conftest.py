"""Real headless Chromium (Debian's package) driven by Playwright for Python.

No browser download: Playwright launches /usr/bin/chromium. Screenshots of every browser
test land in test-artifacts/ for a person to look at; the page walk (test_every_page_walk.py:
every page of every role at 390 and 1366 px, checked with axe-core) keeps its own in
test-artifacts/page-walk/.
"""

import os
import re
import shutil
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
