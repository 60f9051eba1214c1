"""A running campaign's lifecycle buttons sit side by side (found in the review: Pause and
Complete were stacked, each its own block-level form, at 390 and at 1366 px)."""

import pytest

from tests.browser.conftest import sign_in
from tests.campaigns.conftest import _private_media, acme_line, ready, sita  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1366])
def test_pause_and_complete_sit_on_one_line(page, live_server, carol, ready, width):  # noqa: F811
    ready.status = "running"
    ready.save(update_fields=["status"])
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, carol.email)
    page.wait_for_url(f"{live_server.url}/client/**")

    page.goto(f"{live_server.url}/client/outbound/campaigns/{ready.pk}/")
    pause = page.get_by_role("button", name="Pause").bounding_box()
    complete = page.get_by_role("button", name="Complete").bounding_box()
    assert abs(pause["y"] - complete["y"]) < 2
    assert complete["x"] > pause["x"] + pause["width"]
