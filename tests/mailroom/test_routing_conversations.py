"""A new conversation goes to an eligible agent: verified, compliant, engaged on the line,
available, speaking the language, with the skill; fewest open, then longest idle."""

import datetime as dt

import pytest
from django.utils import timezone

from agents.models import AgentProfile
from mailroom.assignment import conversation_route
from mailroom.models import Conversation, Event
from tests.billing.factories import engaged
from tests.factories import verified_agent
from tests.mailroom.conversations import conversation_waiting

pytestmark = pytest.mark.django_db
Duty = AgentProfile.Duty


def on_duty(agent, *, idle_minutes=0):
    agent.duty_status = Duty.AVAILABLE
    agent.duty_changed_at = timezone.now() - dt.timedelta(minutes=idle_minutes)
    agent.save()
    return agent


def ravi(acme, mail_line, **extra):
    agent = verified_agent("ravi@example.com", full_name="Ravi Rao", **extra)
    engaged(agent, acme, lines=[mail_line])
    return agent


def test_it_assigns_to_the_engaged_agent_with_a_reason(mail_queue, mail_agent):
    conv = conversation_waiting(mail_queue)
    assert conversation_route(conv) == mail_agent
    conv.refresh_from_db()
    assert conv.status == Conversation.Status.ASSIGNED and conv.agent == mail_agent
    assert conv.engagement.agent == mail_agent and conv.assigned_at is not None
    event = conv.events.get(kind=Event.Kind.ASSIGNED)
    assert event.detail.startswith("fewest open (0 of 3), idle ")


def test_fewest_open_comes_first_then_longest_idle(acme, mail_line, mail_queue, mail_agent):
    other = on_duty(ravi(acme, mail_line), idle_minutes=30)
    on_duty(mail_agent, idle_minutes=5)
    assert conversation_route(conversation_waiting(mail_queue)) == other  # idle longer
    assert conversation_route(conversation_waiting(mail_queue)) == mail_agent  # fewer open
    third = conversation_waiting(mail_queue)
    assert conversation_route(third) == other
    assert "fewest open (1 of 3), idle 30 min" in third.events.get().detail


def test_nobody_speaking_the_language_leaves_it_waiting(mail_queue, mail_agent):
    conv = conversation_waiting(mail_queue, language="ta")
    assert conversation_route(conv) is None
    conv.refresh_from_db()
    assert conv.status == Conversation.Status.WAITING and not conv.events.exists()


def test_an_agent_without_the_lines_skill_gets_nothing(acme, mail_line, mail_queue):
    on_duty(ravi(acme, mail_line, domain="banking"))
    assert conversation_route(conversation_waiting(mail_queue)) is None


def test_an_agent_not_engaged_on_the_line_gets_nothing(acme, mail_queue):
    on_duty(verified_agent("ravi@example.com"))
    assert conversation_route(conversation_waiting(mail_queue)) is None


def test_suspended_or_noncompliant_agents_get_nothing(mail_queue, mail_agent):
    mail_agent.is_compliant = False
    mail_agent.save()
    assert conversation_route(conversation_waiting(mail_queue)) is None
    mail_agent.is_compliant, mail_agent.status = True, AgentProfile.Status.SUSPENDED
    mail_agent.save()
    assert conversation_route(conversation_waiting(mail_queue)) is None


def test_an_ended_engagement_gets_nothing(mail_queue, mail_agent):
    mail_agent.engagements.update(status="ended")
    assert conversation_route(conversation_waiting(mail_queue)) is None


def test_a_routed_conversation_is_not_routed_twice(mail_queue, mail_agent):
    conv = conversation_waiting(mail_queue)
    conversation_route(conv)
    assert conversation_route(conv) is None
    assert conv.events.count() == 1
