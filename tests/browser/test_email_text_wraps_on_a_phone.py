"""Review of issue 18: an email's text on the firm's conversation page is wrapped, never
clipped. Pico's <pre> scrolls sideways, which showed a phone only the first 40 characters
of each message (seen on the demo at 390 px)."""

import pytest

from mailroom.models import Conversation
from tests.browser.conftest import sign_in
from tests.mailroom import conftest as mail_fixtures
from tests.mailroom.helpers import conversation_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
mail_line, mail_queue = mail_fixtures.mail_line, mail_fixtures.mail_queue
mail_agent = mail_fixtures.mail_agent
LONG = "Hello, I sent my claim papers for my mother's cataract surgery last week. " * 4


@pytest.mark.parametrize("width", [1366, 390])
def test_the_firm_reads_a_long_message_whole_at_any_width(
    page, live_server, carol, mail_queue, mail_agent, width
):
    conversation = conversation_make(
        mail_queue, status=Conversation.Status.ASSIGNED, agent=mail_agent, text=LONG
    )
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, carol.email)
    page.goto(f"{live_server.url}/client/email/conversations/{conversation.pk}/")
    text = page.locator("pre.mail-body").first
    assert "cataract surgery" in text.inner_text()
    # Nothing hidden to the side: the box is as wide as its text.
    assert text.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert text.evaluate("e => getComputedStyle(e).whiteSpace") == "pre-wrap"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
