"""The bell in a real browser, on a phone: an agent sees how many notifications wait (named
for screen readers), opens the list, opens one — it goes where it points and the count drops
— and turns a kind's email off; nothing is wider than the screen."""

import re

import pytest

from accounts.models import Notification, NotificationSetting
from accounts.notifications import notification_send
from tests.browser.conftest import sign_in
from tests.factories import verified_agent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_reads_a_notification_from_the_bell(page, live_server):
    user = verified_agent("sita@example.com").user
    for title in (
        "Your statement for 16–22 Nov 2026 is ready",
        "Your statement for 23–29 Nov 2026 is ready",
    ):
        notification_send(
            users=[user],
            kind=Notification.Kind.STATEMENT_READY,
            title=title,
            url="/agent/earnings/",
        )
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, user.email)
    page.get_by_role("link", name="Notifications, 2 unread").click()
    page.get_by_role("heading", name="Notifications").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Open").first.click()
    page.wait_for_url(re.compile(r"/agent/earnings/$"))
    page.get_by_role("link", name="Notifications, 1 unread").wait_for()

    page.goto(f"{live_server.url}/notifications/settings/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    label = Notification.Kind.STATEMENT_READY.label
    page.get_by_role("checkbox", name=f"{label}: by email").uncheck()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Your notification settings are saved.").wait_for()
    setting = NotificationSetting.objects.get(user=user)
    assert (setting.kind, setting.email, setting.page) == ("statement_ready", False, True)
