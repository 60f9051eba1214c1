"""Every page, every role, every width (issue 15): a real browser walks the demo as each role.

For each role: sign in, read the links of the rendered header (the role's navigation and the
user menu), open each, and one page deeper for every distinct URL pattern linked from the
`<main>` of those pages (GET links on this site; no downloads, exports or sign-out). Each page
is opened at 390x844 (a phone) and 1366x900 (a laptop) and fails on a page wider than the
screen, a console error, a failed request, a response of 400 or more, or an axe-core violation
of impact serious or critical. A new page is walked as soon as a navigation link or a page's
main content links to it. Screenshots: test-artifacts/page-walk/<role>/<width>/<slug>.png.

The demo (`seed_demo`) is seeded once for the module and committed, so every page has rows;
the database is flushed after the module's last test, as a transactional test would leave it.
"""

import io
import os
import re
import shutil
import threading
import time
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import override_settings
from django.urls import Resolver404, resolve

from accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS
from agents.demo import DEMO_AGENTS
from clients.demo import FIRMS
from tests.browser.conftest import ARTIFACTS
from tests.conftest import totp_now

# django_db: pytest-django sets up the test database only for the aliases its collected
# tests ask for. Run alone, this module asked for none, and the seed and the flush below went
# to the developer's own db.sqlite3. Each test's own transaction wraps nothing: the pages are
# served by the module's live server, on the data seeded before.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

AXE = "vendor/axe-core/axe.min.js"
WIDTHS = {"phone": (390, 844), "laptop": (1366, 900)}
ROLES = {  # role: (demo login, is staff: a TOTP code follows the password)
    "agent": ("meera@agents.example", False),
    "agent-applied": ("joseph@agents.example", False),
    "firm-client": ("client@acme-insurance.example", False),
    "vetting": ("vetting@homeshore.example", True),
    "finance": ("finance@homeshore.example", True),
    "admin": ("admin@homeshore.example", True),
    "team-lead": ("lead.kochi@homeshore.example", True),
}
# Links the walk does not follow: leaving, files and exports (downloads, not pages), the API (its
# Swagger UI and Redoc pages are third-party apps drawn after the page loads) and the Django
# admin beyond its index (Django's own pages, dozens of them).
SKIP = re.compile(r"/logout/|^/api/|export|download|\.(csv|xlsx|pdf)$|/media/|/static/|^/admin/.+")

OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) return null;
  const out = el => el.getBoundingClientRect().right > width + 1;
  const wide = [...document.querySelectorAll('body *')]  // the outermost elements past the edge
    .filter(el => out(el) && !out(el.parentElement))
    .filter(el => !el.closest('.overflow-auto') || getComputedStyle(el).position === 'absolute')
    .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (typeof el.className === 'string' && el.className ? '.' + el.className.split(' ')[0] : '') +
      ` (${Math.round(el.getBoundingClientRect().right)} px)`);
  return {width: document.documentElement.scrollWidth, wide: wide.slice(0, 4)};
}"""
AXE_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.impact} ${v.id}: ${v.help} — ` +
      v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ') +
      (v.nodes.length > 3 ? ` (+${v.nodes.length - 3} more)` : ''));
}"""
OPEN_CONTEXTS = []  # every walker's browser context, closed before the server stops
LINKS_JS = """selector => Array.from(document.querySelectorAll(selector))
  .filter(a => !a.hasAttribute('download')).map(a => a.href)"""


@pytest.fixture(scope="module")
def demo_site(browser, django_db_setup, django_db_blocker, tmp_path_factory):
    """The seeded demo behind a live server of its own (pytest-django's would flush the
    database after each test, and seeding takes seconds on SQLite, ~30 s on PostgreSQL)."""
    from pytest_django.live_server_helper import LiveServer

    media = tmp_path_factory.mktemp("private-media")
    with django_db_blocker.unblock(), override_settings(PRIVATE_MEDIA_ROOT=media):
        name = str(connections["default"].settings_dict["NAME"])  # it ends with a flush
        assert "memory" in name or os.path.basename(name).startswith("test"), name
        call_command("seed_demo", stdout=io.StringIO())
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield server.url
        finally:
            for context in OPEN_CONTEXTS:  # a failed walk's too: no request may outlive the server
                context.close()
            # Each request thread closes its database connection when its socket closes: wait, or
            # a thread would use the shared SQLite connection after `stop`, or PostgreSQL refuse
            # to drop the test database while a connection is open.
            for thread in threading.enumerate():
                if "process_request_thread" in thread.name:
                    thread.join(timeout=10)
            server._live_server_modified_settings.disable()
            server.stop()
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the browser's loop still runs
            call_command("flush", interactive=False, verbosity=0)
            connections.close_all()  # as a transactional test does after itself


def _sign_in(page, url: str, email: str, staff: bool) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Email:").fill(email)
    page.get_by_label("Password:").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if staff:
        page.get_by_label("Code:", exact=True).fill(totp_now(DEMO_TOTP_SECRET))
        page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(lambda u: "/accounts/" not in u)


def _pattern(path: str) -> str:
    try:
        return resolve(path).route or path
    except Resolver404:
        return path  # a link to nowhere: opened, so its 404 is reported


def _same_site_paths(url: str, hrefs: list[str]) -> list[str]:
    origin = urlsplit(url)[:2]
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts[:2] != origin or SKIP.search(parts.path):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path not in paths:
            paths.append(path)
    return paths


def _slug(path: str) -> str:
    return re.sub(r"[^\w.-]+", "_", path.strip("/")) or "root"


class Walker:
    """One browser context at one width; `visit` opens a page and lists what is wrong on it."""

    def __init__(self, browser, url: str, role: str, width: str, state=None):
        w, h = WIDTHS[width]
        self.context = browser.new_context(viewport={"width": w, "height": h}, storage_state=state)
        self.context.set_default_timeout(15_000)
        OPEN_CONTEXTS.append(self.context)
        self.page = self.context.new_page()
        self.url, self.shots = url, ARTIFACTS / "page-walk" / role / width
        self.shots.mkdir(parents=True, exist_ok=True)
        self.heard: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.heard.append(f"page error: {e}"))
        self.page.on("requestfailed", self._failed)
        self.page.on(
            "response",
            lambda r: self.heard.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
        )

    def _failed(self, request) -> None:
        # A poll still in flight when the walk moves on is cancelled by the browser
        # (net::ERR_ABORTED), and reported after the next page's visit has begun: the leaving,
        # not a fault of either page. A server's failure shows as its HTTP status (below).
        if request.failure == "net::ERR_ABORTED" and not request.is_navigation_request():
            return
        self.heard.append(f"failed: {request.url} {request.failure}")

    def _console(self, message) -> None:
        if message.type == "error":
            self.heard.append(f"console error: {message.text}")

    def visit(self, path: str) -> list[str]:
        self.heard = []
        self.page.goto(f"{self.url}{path}")
        problems = list(self.heard)
        overflow = self.page.evaluate(OVERFLOW_JS)
        if overflow:
            problems.append(f"{overflow['width']} px wide: {', '.join(overflow['wide'])}")
        self.page.add_script_tag(url=f"{self.url}/static/{AXE}")
        problems += self.page.evaluate(AXE_JS)
        self.page.screenshot(path=str(self.shots / f"{_slug(path)}.png"), full_page=True)
        return problems

    def links(self, selector: str) -> list[str]:
        return _same_site_paths(self.url, self.page.evaluate(LINKS_JS, selector))


@pytest.mark.django_db
def test_each_walked_login_is_the_demo_user_in_the_state_its_role_names():
    # Marked for the database, though it needs none: with no such test in the session
    # pytest-django makes no test database, and the walk (marked for none: it has its own
    # server and seed) would then seed the development database.
    agents = {row[0]: row[3] for row in DEMO_AGENTS}
    assert agents[ROLES["agent"][0]] == "verified"
    assert agents[ROLES["agent-applied"][0]] == "applied"
    assert ROLES["firm-client"][0] in {row[3] for row in FIRMS}
    staff = {email: role for email, _, role in DEMO_USERS}
    for role in ("vetting", "finance", "admin"):
        assert staff[ROLES[role][0]] == role


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_of_the_role_fits_both_widths_and_passes_axe(role, browser, demo_site):
    email, staff = ROLES[role]
    started, problems = time.monotonic(), {}
    shutil.rmtree(ARTIFACTS / "page-walk" / role, ignore_errors=True)  # no page of an older walk
    laptop = Walker(browser, demo_site, role, "laptop")
    _sign_in(laptop.page, demo_site, email, staff)
    # The pages: the header's links, then one of each URL pattern their main content links to.
    pages = laptop.links("header a[href]")
    patterns = {_pattern(path.split("?")[0]) for path in pages}
    for path in list(pages):
        problems[path] = laptop.visit(path)
        if path.startswith("/admin/"):
            continue
        for deeper in laptop.links("main a[href]"):
            if _pattern(deeper.split("?")[0]) not in patterns:
                patterns.add(_pattern(deeper.split("?")[0]))
                pages.append(deeper)
                problems[deeper] = laptop.visit(deeper)
    phone = Walker(browser, demo_site, role, "phone", state=laptop.context.storage_state())
    laptop.context.close()
    for path in pages:
        problems[path] = [f"1366 px: {p}" for p in problems[path]]
        problems[path] += [f"390 px: {p}" for p in phone.visit(path)]
    phone.context.close()
    found = [f"{path}\n    " + "\n    ".join(lines) for path, lines in problems.items() if lines]
    print(f"{role}: {len(pages)} pages at two widths in {time.monotonic() - started:.0f} s")
    assert len(pages) > 1, f"{role}: the header linked to no pages"
    assert not found, f"{role}: {len(found)} of {len(pages)} pages have problems:\n" + "\n".join(
        found
    )


def test_on_a_phone_the_header_is_a_menu_holding_the_links_and_sign_out(browser, demo_site):
    phone = Walker(browser, demo_site, "agent", "phone")
    _sign_in(phone.page, demo_site, "meera@agents.example", staff=False)
    page, header = phone.page, phone.page.locator("header")
    assert not header.get_by_role("link", name="Earnings").is_visible()  # the row is folded
    header.get_by_text("Menu", exact=True).click()
    for name in ("Opportunities", "Earnings", "Email addresses", "Sign out"):
        link = header.get_by_role("link", name=name, exact=True)
        box = link.bounding_box()
        assert link.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= 390, name
    page.screenshot(path=str(phone.shots / "menu-open.png"))
    header.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign Out").click()
    page.wait_for_url(lambda u: "/accounts/logout/" not in u)
    assert page.get_by_role("link", name="Sign in").is_visible()
    phone.context.close()


def test_on_a_laptop_the_links_are_a_row_and_the_email_opens_the_user_menu(browser, demo_site):
    laptop = Walker(browser, demo_site, "firm-client", "laptop")
    _sign_in(laptop.page, demo_site, "client@acme-insurance.example", staff=False)
    header = laptop.page.locator("header")
    for name in ("Requests", "Lines", "Calls", "Invoices", "Settings"):
        assert header.get_by_role("link", name=name, exact=True).is_visible(), name
    assert not header.get_by_text("Menu", exact=True).is_visible()
    header.locator("summary").click()
    assert header.locator("summary").inner_text() == "client@acme-insurance.example"
    assert header.get_by_role("link", name="Sign out").is_visible()
    assert header.get_by_role("link", name="Requests", exact=True).count() == 1  # not twice
    laptop.page.screenshot(path=str(laptop.shots / "user-menu-open.png"))
    laptop.context.close()
