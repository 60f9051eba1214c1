"""The assigned agent's reply leaves after commit from the firm's address, threaded; only
they may reply; the first reply makes the conversation handled (once)."""

import datetime as dt

import pytest
from django.http import Http404

from mailroom import outbox
from mailroom.assignment import conversation_route
from mailroom.models import Conversation, Message, Template
from mailroom.replies import conversation_close, reply_send, reply_subject
from mailroom.signals import conversation_handled
from tests.factories import verified_agent
from tests.mailroom.conversations import conversation_waiting

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(mail_queue, mail_agent):
    conv = conversation_waiting(mail_queue, subject="Re: Re: Claim 42")
    conversation_route(conv)
    conv.refresh_from_db()
    return conv


def send(conv, body="We have your papers.", **kw):
    return reply_send(actor_user=conv.agent.user, conversation=conv, body=body, **kw)


def test_the_reply_is_threaded_and_sent_from_the_queues_address(
    assigned, smtp_sink, django_capture_on_commit_callbacks
):
    inbound = assigned.messages.get()
    with django_capture_on_commit_callbacks(execute=True):
        reply = send(assigned)
    [mail] = smtp_sink.messages
    assert mail["In-Reply-To"] == f"<{inbound.message_id}>"
    assert mail["References"] == f"<{inbound.message_id}>"
    assert mail["Message-ID"] == f"<{reply.message_id}>"
    assert mail["Subject"] == "Re: Claim 42"
    assert mail["From"] == "Acme claims <claims@acme-insurance.example>"
    assert mail["Reply-To"] == mail["From"] and mail["Bcc"] is None
    assert smtp_sink.envelopes[0][1] == ["asha.menon@example.net"]
    reply.refresh_from_db()
    assert reply.send_status == Message.Send.SENT and reply.send_attempts == 1


def test_references_chain_the_consumers_references(assigned, smtp_sink):
    inbound = assigned.messages.get()
    inbound.references = "first@example.net second@acme-insurance.example"
    inbound.save()
    reply = send(assigned)
    assert reply.references.split() == [
        "first@example.net",
        "second@acme-insurance.example",
        inbound.message_id,
    ]


def test_the_first_reply_makes_it_handled_once(assigned, mail_agent):
    heard = []

    def hear(sender, conversation, **kw):
        heard.append(conversation.pk)

    conversation_handled.connect(hear)
    try:
        send(assigned)
        send(assigned, body="And one more thing.")
    finally:
        conversation_handled.disconnect(hear)
    assigned.refresh_from_db()
    assert heard == [assigned.pk]
    assert assigned.status == Conversation.Status.ANSWERED
    assert assigned.handled_by == mail_agent and assigned.handled_engagement == assigned.engagement
    assert assigned.first_response_at == assigned.handled_at


def test_another_agent_cannot_reply_or_close(assigned):
    bob = verified_agent("bob@example.com")
    with pytest.raises(Http404):
        reply_send(actor_user=bob.user, conversation=assigned, body="Hi")
    with pytest.raises(Http404):
        conversation_close(actor_user=bob.user, conversation=assigned)
    assert not assigned.messages.filter(direction="out").exists()


def test_a_template_is_rendered_with_the_names(assigned, acme):
    template = Template.objects.create(
        firm=acme, name="Thanks", body="Dear {customer_name}, {agent_name} of {firm_name}. {x}"
    )
    reply = send(assigned, body="", template=template)
    assert reply.text == "Dear Asha Menon, Meena Iyer of Acme Insurance. {x}"


def test_another_firms_template_is_refused(assigned, globex):
    template = Template.objects.create(firm=globex, name="Theirs", body="Hello")
    with pytest.raises(Http404):
        send(assigned, body="", template=template)


def test_subject_gets_re_once():
    assert reply_subject("Re: RE: aw: Claim") == "Re: Claim"
    assert reply_subject("") == "Re: your message"


def test_a_lost_send_is_resent_by_the_sweep_then_failed_after_five(assigned, smtp_sink, settings):
    reply = send(assigned)  # no commit callbacks in this test: the task is "lost"
    Message.objects.filter(pk=reply.pk).update(
        created_at=reply.created_at - dt.timedelta(minutes=2)
    )
    assert outbox.messages_resend_due() == 1
    assert len(smtp_sink.messages) == 1
    second = send(assigned, body="Again")
    Message.objects.filter(pk=second.pk).update(
        created_at=second.created_at - dt.timedelta(minutes=2), send_attempts=5
    )
    assert outbox.messages_resend_due() == 0
    second.refresh_from_db()
    assert second.send_status == Message.Send.FAILED and second.send_error


def test_the_agent_closes_their_conversation(assigned):
    conversation_close(actor_user=assigned.agent.user, conversation=assigned)
    assigned.refresh_from_db()
    assert assigned.status == Conversation.Status.CLOSED and assigned.closed_at
