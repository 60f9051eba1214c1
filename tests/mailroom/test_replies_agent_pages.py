"""The agent's email pages: their inbox and conversations only (another agent's: 404), the
customer's name or masked address (never the full one), the template picker, replying,
closing, the capacity setting."""

import pytest
from django.urls import reverse

from agents.models import AgentProfile
from mailroom.assignment import conversation_route
from mailroom.models import Attachment, Template
from tests.factories import verified_agent
from tests.mailroom.conversations import conversation_waiting

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(mail_queue, mail_agent):
    conv = conversation_waiting(mail_queue, customer_name="", suspicious=True)
    conversation_route(conv)
    conv.refresh_from_db()
    return conv


@pytest.fixture
def meena(client, mail_agent):
    client.force_login(mail_agent.user)
    return client


def test_the_inbox_lists_my_conversations_with_their_timer(meena, mine, mail_queue):
    conversation_waiting(mail_queue, language="ta")  # nobody speaks it: waits
    page = meena.get(reverse("mail_agent:inbox")).content.decode()
    assert mine.subject in page and 'class="mail-timer"' in page
    assert "<strong>1</strong> conversation waiting" in page
    assert "asha.menon@example.net" not in page and "a•••@e•••.net" in page


def test_the_conversation_shows_the_thread_masked_and_marked(meena, mine):
    Attachment.objects.create(
        message=mine.messages.get(), filename="run.exe", size=10, refused_reason="a program"
    )
    page = meena.get(reverse("mail_agent:conversation", args=[mine.pk])).content.decode()
    assert "When will it be paid?" in page and "Suspicious sender" in page
    assert "run.exe refused: a program" in page
    assert "asha.menon@example.net" not in page


def test_another_agents_conversation_is_a_404(client, mine):
    bob = verified_agent("bob@example.com")
    client.force_login(bob.user)
    for name in ("mail_agent:conversation", "mail_agent:close"):
        method = client.get if name.endswith("conversation") else client.post
        assert method(reverse(name, args=[mine.pk])).status_code == 404
    response = client.post(reverse("mail_agent:conversation", args=[mine.pk]), {"body": "Hi"})
    assert response.status_code == 404 and not mine.messages.filter(direction="out").exists()


def test_a_firm_user_is_refused_the_agent_pages(client, carol, mine):
    client.force_login(carol)
    assert client.get(reverse("mail_agent:inbox")).status_code in (302, 403)


def test_the_template_picker_fills_the_reply_and_the_agent_sends_it(meena, mine, acme):
    template = Template.objects.create(firm=acme, name="Papers", body="Hello from {agent_name}")
    url = reverse("mail_agent:conversation", args=[mine.pk])
    page = meena.get(url, {"template": template.pk}).content.decode()
    assert "Hello from Meena Iyer" in page
    response = meena.post(url, {"template": template.pk, "body": "Hello from Meena, edited"})
    assert response.status_code == 302
    assert mine.messages.get(direction="out").text == "Hello from Meena, edited"


def test_the_agent_closes_and_sets_their_capacity(meena, mine, mail_agent):
    meena.post(reverse("mail_agent:close", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.status == "closed"
    assert meena.post(reverse("mail_agent:capacity"), {"email_capacity": 11}).status_code == 400
    meena.post(reverse("mail_agent:capacity"), {"email_capacity": 5})
    assert AgentProfile.objects.get(pk=mail_agent.pk).email_capacity == 5
