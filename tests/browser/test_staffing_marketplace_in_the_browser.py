import datetime as dt
import re

import pytest
from django.utils import timezone

from clients.models import Engagement
from tests.browser.conftest import ARTIFACTS, sign_in, sign_out
from tests.factories import PhoneLineFactory, verified_agent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_firm_posts_a_request_an_agent_applies_and_the_firm_approves(
    page, live_server, carol, acme
):
    url = live_server.url
    PhoneLineFactory(firm=acme, name="Claims helpline", languages=["kn", "en"])
    meera = verified_agent(
        "meera@example.com", languages=(("kn", 5), ("en", 4)), full_name="Meera Shenoy"
    )
    today = timezone.localdate()

    sign_in(page, url, carol.email)
    page.wait_for_url(re.compile(r"/client/$"))
    page.get_by_role("button", name="New staffing request").click()
    page.get_by_label("Title:").fill("Claims desk, coastal Karnataka")
    page.get_by_label("Skill:").select_option("insurance")
    page.get_by_label("Kannada").check()
    page.get_by_label("Regions served:").fill("Mangaluru\nUdupi")
    page.get_by_label("Claims helpline").check()
    page.get_by_label("Start date:").fill(today.isoformat())
    page.get_by_label("End date:").fill((today + dt.timedelta(days=60)).isoformat())
    page.get_by_label("Calls per hour:").fill("200")
    page.get_by_label("Rate per unit:").fill("40")
    page.get_by_role("button", name="Post request").click()
    page.get_by_text("Request posted").wait_for()
    assert page.locator(".stat", has_text="on the phones").inner_text().startswith("14")
    page.locator("canvas[data-chart='chart-gap']").wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "staffing_request_page.png"), full_page=True)
    request_url = page.url
    sign_out(page, url)

    sign_in(page, url, meera.user.email)
    page.get_by_role("link", name="Opportunities", exact=True).click()
    opportunity = page.locator("article", has_text="Claims desk, coastal Karnataka")
    assert "₹32.00 per call" in opportunity.inner_text()
    opportunity.get_by_role("button", name="Apply").click()
    page.get_by_text("You applied to").wait_for()
    sign_out(page, url)

    sign_in(page, url, carol.email)
    page.goto(request_url)
    row = page.locator("tr", has_text="Meera Shenoy")
    row.get_by_role("button", name="Approve").click()
    page.get_by_text("Meera Shenoy approved").wait_for()
    assert Engagement.objects.get(agent=meera).status == "active"
    page.get_by_role("link", name="Engagements", exact=True).click()
    assert "Meera Shenoy" in page.locator("table").inner_text()
    sign_out(page, url)

    sign_in(page, url, meera.user.email)
    panel = page.locator("article", has_text="Your engagements")
    assert "Acme Insurance" in panel.inner_text()
