"""A firm admin writes a line's script with a preview and puts the wrap-up codes in order, in
a real browser, on a phone and a laptop: nothing wider than the screen, nothing the
Content-Security-Policy refuses, no raw HTML in the preview."""

import pytest

from clients.scripts import dispositions_seed
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.factories import PhoneLineFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1366, 390])
def test_a_firm_admin_previews_and_saves_a_script_and_reorders_codes(
    page, live_server, acme, carol, width
):
    line = PhoneLineFactory(firm=acme, name="Claims helpline", languages=["kn", "en"])
    dispositions_seed(line)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, carol.email)
    page.goto(f"{live_server.url}/client/lines/{line.pk}/")
    page.get_by_role("link", name="Scripts").click()
    page.get_by_role("link", name="Kannada").click()
    page.get_by_label("Script (Markdown)").fill(
        "## ಸ್ವಾಗತ\n\n- Ask for the **policy number**\n\n<script>alert(1)</script>"
    )
    page.get_by_role("button", name="Preview").click()
    preview = page.locator(".script-preview")
    preview.get_by_role("heading", name="ಸ್ವಾಗತ").wait_for()
    assert preview.locator("script").count() == 0
    page.get_by_role("button", name="Save as a new version").click()
    page.get_by_text("Script saved as version 1.").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"line_scripts_{width}.png"), full_page=True)

    page.goto(f"{live_server.url}/client/lines/{line.pk}/dispositions/")
    page.get_by_role("button", name="Move Sale up").click()
    page.get_by_text("Codes saved.").wait_for()
    rows = page.locator("tbody tr td:first-child").all_inner_texts()
    assert rows[-2:] == ["SALE", "CMP"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(ARTIFACTS / f"line_dispositions_{width}.png"), full_page=True)
