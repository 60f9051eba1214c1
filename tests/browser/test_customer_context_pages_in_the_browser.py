"""The firm's customer context pages in a real browser, at a phone's and a laptop's width: a
line's context settings (a lookup saved, its secret shown once, the endpoint tested against
a real local server), the contacts upload and list. No page is wider than the screen."""

import re

import pytest

from clients.contacts import contacts_import
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.factories import PhoneLineFactory
from tests.lookup_server import LookupServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CSV = (
    "number,name,language,external_id,plan,open_ticket\n"
    "+919845012345,Ravi Kumar,kn,C-1,Gold,T-1182\n"
    "098450 12346;08242440000,Asha Rao,Tamil,C-2,Silver,\n"
)


def fits(page, width: int, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"context-{name}-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [390, 1366])
def test_a_firm_admin_sets_up_a_lookup_and_tests_it(page, live_server, carol, acme, width):
    ARTIFACTS.mkdir(exist_ok=True)
    line = PhoneLineFactory(firm=acme, name="Claims helpline")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, carol.email)
    with LookupServer() as server:
        server.reply({"fields": {"plan": "Gold", "open_ticket": "T-1182"}})
        page.goto(f"{live_server.url}/client/lines/{line.pk}/")
        page.get_by_role("link", name="What agents know about the caller").click()
        page.get_by_label("Our lookup endpoint").check()
        page.get_by_label("Endpoint address").fill(server.url)
        page.get_by_label("Fields the agent sees").fill("plan\nopen_ticket")
        page.get_by_role("button", name="Save").click()
        secret = page.locator("#new-context-secret").inner_text()
        assert secret.startswith("whsec_")
        fits(page, width, "secret")
        page.get_by_role("button", name="Test the endpoint").click()
        page.get_by_text("Agents would see:").wait_for()
        fits(page, width, "tested")
        assert secret not in page.content()  # shown once
    assert len(server.requests) == 1


@pytest.mark.parametrize("width", [390, 1366])
def test_a_firm_admin_uploads_contacts_and_searches_them(
    page, live_server, carol, acme, tmp_path, width
):
    ARTIFACTS.mkdir(exist_ok=True)
    path = tmp_path / "contacts.csv"
    path.write_text(CSV + "12345,Bad,,,,\n", encoding="utf-8")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, carol.email)
    page.goto(f"{live_server.url}/client/contacts/upload/")
    page.get_by_label("Contacts (CSV, UTF-8)").set_input_files(str(path))
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("Row 4: “12345” is not a phone number.").wait_for()
    fits(page, width, "upload-refused")
    contacts_import(firm=acme, user=carol, data=CSV.encode())
    page.goto(f"{live_server.url}/client/contacts/?q=9845012346")
    page.get_by_text("Asha Rao").wait_for()
    assert "Ravi Kumar" not in page.content()
    fits(page, width, "contacts")
    assert re.search(r"\+91 98450 12346", page.content())
