"""A firm admin's webhooks in a real browser, on a phone: adds an endpoint (the secret shown
once), an event reaches the local receiver signed, the log and the delivery's page show it,
and Replay sends it again with the same webhook-id; nothing is wider than the screen."""

import re

import pytest

from clients.deliveries import deliveries_sweep
from clients.models import WebhookEndpoint
from clients.outbox import event_emit
from tests.browser.conftest import sign_in
from tests.clients.receiver import Receiver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_firm_admin_adds_an_endpoint_and_replays_a_delivery(page, live_server, acme, carol):
    receiver = Receiver()
    try:
        page.set_viewport_size({"width": 390, "height": 844})
        sign_in(page, live_server.url, carol.email)
        page.goto(f"{live_server.url}/client/webhooks/")
        page.get_by_label("Address:").fill(receiver.url)
        page.get_by_label("Call missed").check()
        page.get_by_role("button", name="Add endpoint").click()
        secret = page.locator("#webhook-secret").inner_text()
        endpoint = WebhookEndpoint.objects.get()
        assert secret == endpoint.secret
        _fits(page)
        page.get_by_role("button", name="Done, I saved it").click()
        page.get_by_role("heading", name="Webhook endpoint").wait_for()
        assert secret not in page.content()

        event_emit(firm=acme, event="call.missed", payload={"call_id": 7})
        deliveries_sweep()
        [message_id] = receiver.ids()
        receiver.verified(secret)
        page.reload()
        page.get_by_text(message_id).wait_for()
        _fits(page)
        page.get_by_role("link", name=re.compile(r"^\d+ \w+ \d\d:\d\d:\d\d$")).click()
        page.get_by_role("heading", name="call.missed: Delivered").wait_for()
        _fits(page)
        page.get_by_role("button", name="Replay").click()
        page.get_by_role("status").get_by_text("Sent again with the same webhook-id").wait_for()
        deliveries_sweep()  # (no broker in tests: the replay was sent inline at commit)
        assert receiver.ids() == [message_id, message_id]
    finally:
        receiver.stop()
