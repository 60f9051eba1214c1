"""Threading (mailroom.threads + ingest): reply, forward, new subject, no headers."""

import datetime as dt

import pytest

from mailroom import assignment
from mailroom.ingest import message_ingest
from mailroom.models import Conversation, Event, Message
from mailroom.threads import is_forward, subject_normalised
from tests.mailroom.conftest import raw_email

pytestmark = pytest.mark.django_db
TO = "claims@acme-insurance.example"


@pytest.fixture
def routed(monkeypatch):
    calls = []
    monkeypatch.setattr(assignment, "conversation_route", lambda c: calls.append(c.pk))
    return calls


def ingest(**kwargs):
    return message_ingest(raw=raw_email(to=TO, **kwargs), source=Message.Source.WEBHOOK)


def test_a_new_message_opens_a_waiting_conversation_and_is_routed(mail_queue, routed, monkeypatch):
    # 10:30 in Kolkata on a Wednesday: the 240 business minutes end before the factory line's
    # one closed minute (23:59-00:00), which the wall clock would reach four hours a day.
    arrived = dt.datetime(2026, 12, 2, 5, 0, tzinfo=dt.UTC)
    monkeypatch.setattr("mailroom.ingest.timezone.now", lambda: arrived)
    message = ingest(message_id="<first@example.net>")
    conversation = message.conversation
    assert conversation.status == Conversation.Status.WAITING
    assert routed == [conversation.pk]
    assert conversation.customer_email == "asha.menon@example.net"
    assert conversation.customer_name == "Asha Menon"
    assert (conversation.language, conversation.language_source) == ("en", "detected")
    assert conversation.last_message_at == arrived
    assert conversation.first_response_due_at == arrived + dt.timedelta(
        minutes=mail_queue.first_response_minutes
    )


def test_a_reply_joins_its_conversation_even_with_a_new_subject(mail_queue, routed):
    first = ingest(message_id="<first@example.net>")
    reply = ingest(
        message_id="<second@example.net>",
        subject="Something else entirely",
        references="<first@example.net>",
    )
    assert reply.conversation_id == first.conversation_id
    assert Conversation.objects.count() == 1


def test_a_forward_without_headers_starts_a_new_conversation(mail_queue, routed):
    first = ingest(message_id="<first@example.net>")
    forward = ingest(message_id="<fw@example.net>", subject="Fwd: Claim for my hospital bill")
    assert forward.conversation_id != first.conversation_id


def test_no_headers_same_sender_same_subject_within_a_week_joins(mail_queue, routed):
    first = ingest(message_id="<first@example.net>")
    again = ingest(message_id="<again@example.net>", subject="RE: AW: Claim for my  hospital bill")
    assert again.conversation_id == first.conversation_id


def test_no_headers_and_a_new_subject_is_a_new_conversation(mail_queue, routed):
    first = ingest(message_id="<first@example.net>")
    other = ingest(message_id="<other@example.net>", subject="My address changed")
    assert other.conversation_id != first.conversation_id


def test_a_week_old_or_closed_conversation_is_not_joined_by_subject(mail_queue, routed):
    first = ingest(message_id="<first@example.net>")
    Conversation.objects.update(last_message_at=first.received_at - dt.timedelta(days=8))
    assert ingest(message_id="<late@example.net>").conversation_id != first.conversation_id
    Conversation.objects.update(status=Conversation.Status.CLOSED)
    assert Conversation.objects.count() == 2
    assert ingest(message_id="<later@example.net>").conversation.status == "waiting"
    assert Conversation.objects.count() == 3


def test_the_same_message_twice_is_stored_once(mail_queue, routed):
    raw = raw_email(to=TO, message_id="<once@example.net>")
    first = message_ingest(raw=raw, source=Message.Source.IMAP)
    second = message_ingest(raw=raw, source=Message.Source.WEBHOOK)
    assert first.pk == second.pk and Message.objects.count() == 1
    assert routed == [first.conversation_id]


def test_a_reply_to_an_answered_conversation_reopens_it_for_another_agent(mail_queue, routed):
    first = ingest(message_id="<first@example.net>")
    Conversation.objects.update(status=Conversation.Status.ANSWERED)
    ingest(message_id="<more@example.net>", in_reply_to="<first@example.net>")
    conversation = Conversation.objects.get()
    assert conversation.status == Conversation.Status.WAITING
    assert routed == [first.conversation_id, first.conversation_id]
    assert Event.objects.filter(kind=Event.Kind.REOPENED).count() == 1


def test_a_reply_to_an_answered_conversation_goes_back_to_its_eligible_agent(
    mail_queue, mail_agent, routed
):
    first = ingest(message_id="<first@example.net>")
    engagement = mail_agent.engagements.get()  # the one it was answered under
    Conversation.objects.update(
        status=Conversation.Status.ANSWERED, agent=mail_agent, engagement=engagement
    )
    ingest(message_id="<more@example.net>", in_reply_to="<first@example.net>")
    conversation = Conversation.objects.get()
    assert (conversation.status, conversation.agent) == (Conversation.Status.ASSIGNED, mail_agent)
    assert conversation.engagement is not None and routed == [first.conversation_id]


def test_the_subject_rules():
    assert subject_normalised("Re: FW: [External] AW:  Hello   World") == "hello world"
    assert subject_normalised("Re[2]: SV: Hello") == "hello"
    assert is_forward("Fwd: x") and is_forward("FW: x") and not is_forward("Re: Fwd: x")
