import re

import pytest

from accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_agent_signs_up_confirms_the_email_and_lands_on_the_agent_home(
    page, live_server, mailoutbox
):
    page.goto(live_server.url)
    page.get_by_role("button", name="Become a home agent").first.click()

    page.get_by_label("Email").fill("nirmala@example.com")
    page.get_by_label("Password:", exact=True).fill("backwaters-of-kerala-1961")
    page.get_by_label("Password (again):", exact=True).fill("backwaters-of-kerala-1961")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    assert "Verify Your Email Address" in page.content()

    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mailoutbox[0].body).group(0)
    path = link.split("/accounts/", 1)[1]
    page.goto(f"{live_server.url}/accounts/{path}")
    page.get_by_role("button", name="Confirm").click()

    page.wait_for_url(re.compile(r"/agent/$"))
    assert page.get_by_role("heading", name="Welcome").is_visible()
    assert page.get_by_text("Applied").is_visible()
    assert (
        page.get_by_role("navigation", name="Main")
        .get_by_role("link", name="Home", exact=True)
        .is_visible()
    )
    assert User.objects.get(email="nirmala@example.com").emailaddress_set.get().verified
