"""The issue's browser case: a consumer's email waits with the agent; they sign in, open the
inbox and the conversation, pick the firm's template, edit it and send; the reply reaches a
real SMTP server threaded on the consumer's message. At 1366 and 390 px."""

from pathlib import Path

import pytest

from mailroom.assignment import conversation_route
from mailroom.models import Template
from tests.browser.conftest import sign_in
from tests.mailroom import conftest as mail_fixtures
from tests.mailroom.conversations import conversation_waiting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The email fixtures (tests/mailroom/conftest.py), shared with this directory.
_private_media, smtp_sink = mail_fixtures._private_media, mail_fixtures.smtp_sink
mail_line, mail_queue = mail_fixtures.mail_line, mail_fixtures.mail_queue
mail_agent = mail_fixtures.mail_agent
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"agent_answers_email_{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [1366, 390])
def test_an_agent_answers_a_consumers_email_in_the_browser(
    page, live_server, eager, acme, mail_queue, mail_agent, smtp_sink, width
):
    Template.objects.create(
        firm=acme,
        name="Claim received",
        body="Dear {customer_name},\n\nThank you. {agent_name}, {firm_name}",
    )
    conv = conversation_waiting(mail_queue)
    inbound = conv.messages.get()
    assert conversation_route(conv) == mail_agent
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, mail_agent.user.email)
    page.goto(f"{live_server.url}/agent/email/")
    assert page.locator("time.mail-timer").first.inner_text().endswith("left")
    shot(page, f"inbox_{width}")
    page.get_by_role("link", name="Claim for my hospital bill").click()
    page.get_by_label("Template").select_option(label="Claim received")
    page.get_by_role("button", name="Use template").click()
    body = page.get_by_label("Your reply")
    assert "Dear Asha Menon" in body.input_value()
    body.fill(body.input_value() + "\n\nYour claim is with the assessor.")
    shot(page, f"conversation_{width}")
    page.get_by_role("button", name="Send reply").click()
    page.get_by_text("Your reply is on its way.").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"sent_{width}")
    [mail] = smtp_sink.messages
    assert mail["In-Reply-To"] == f"<{inbound.message_id}>"
    assert mail["Subject"] == "Re: Claim for my hospital bill"
    assert "Your claim is with the assessor." in mail.get_content()
    assert "asha.menon@example.net" not in page.content()
