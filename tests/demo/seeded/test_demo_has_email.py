"""The demo's email (mailroom.demo): conversations in two languages (and a third: Tamil),
reached through the real ingest path and routed to engaged agents; one answered (a ledger
row) and threaded; one past its first-response target (escalated); a refused attachment;
an auto-reply kept off the routing; and Acme's sent campaign with its delivery figures."""

import pytest

from accounts.models import Notification
from billing.models import Transaction
from mailroom.models import CampaignEmail, Conversation, EmailCampaign, EmailSuppression, Event

pytestmark = [pytest.mark.django_db]


@pytest.fixture(scope="module", autouse=True)
def seeded(demo_once: str) -> str:
    return demo_once  # tests/demo/seeded/conftest.py: the package's one seed


def test_conversations_in_several_languages_each_with_an_engaged_agent_of_that_language():
    conversations = Conversation.objects.select_related("agent", "queue__line")
    assert {c.language for c in conversations} >= {"en", "kn", "ta"}
    for conversation in conversations:
        assert conversation.language_source == "detected"
        assert conversation.agent is not None, conversation.subject
        assert conversation.agent.languages.filter(language=conversation.language).exists()
        assert conversation.agent.engagements.filter(lines=conversation.queue.line).exists()


def test_one_answered_and_threaded_conversation_billed_once():
    answered = Conversation.objects.get(handled_at__isnull=False)
    directions = list(answered.messages.values_list("direction", "automatic"))
    assert directions == [("in", False), ("out", False), ("in", False), ("in", True)]
    reply = answered.messages.get(direction="out")
    assert answered.messages.filter(in_reply_to=reply.message_id).count() == 2
    row = Transaction.objects.get(conversation=answered)
    assert row.agent_id == answered.handled_by_id and row.client_amount > row.agent_amount > 0


def test_one_conversation_breached_its_target_and_the_staff_were_told():
    breached = Conversation.objects.get(breached_at__isnull=False)
    assert breached.first_response_at is None
    assert breached.events.filter(kind=Event.Kind.BREACHED).count() == 1
    assert Notification.objects.filter(kind=Notification.Kind.EMAIL_SLA_BREACHED).exists()


def test_a_program_sent_as_an_attachment_was_refused_with_a_note():
    event = Event.objects.get(kind=Event.Kind.ATTACHMENT_REFUSED)
    attachment = event.conversation.messages.get().attachments.get()
    assert attachment.refused_reason and not attachment.file


def test_the_sent_campaign_has_its_figures_suppression_and_ledger_rows():
    campaign = EmailCampaign.objects.get(firm__name="Acme Insurance")
    assert campaign.status == EmailCampaign.Status.DONE
    assert campaign.sent == campaign.recipients > 0
    assert (campaign.bounced, campaign.unsubscribed) == (1, 1)
    assert campaign.delivered == campaign.sent - 1
    reasons = set(EmailSuppression.objects.values_list("reason", flat=True))
    assert reasons == {"bounced", "unsubscribed"}
    billed = Transaction.objects.filter(campaign_email__campaign=campaign)
    assert billed.count() == CampaignEmail.objects.filter(campaign=campaign).count()
    assert not billed.exclude(agent=None).exists()
