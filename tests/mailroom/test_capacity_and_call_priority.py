"""An agent's email capacity holds; a phone call takes priority: email waits while they talk,
and waiting conversations reach them when they are free again. Offline agents' unanswered
conversations go to someone else."""

import pytest
from django.utils import timezone

from agents import presence
from agents.models import AgentProfile
from agents.services import agent_duty_set
from mailroom.assignment import conversation_route, conversations_sweep
from mailroom.models import Conversation, Event
from tests.billing.factories import engaged
from tests.factories import verified_agent
from tests.mailroom.conversations import conversation_waiting

pytestmark = pytest.mark.django_db
Duty, Status = AgentProfile.Duty, Conversation.Status


def test_an_agent_at_capacity_gets_no_more(mail_queue, mail_agent):
    mail_agent.email_capacity = 2
    mail_agent.save()
    convs = [conversation_waiting(mail_queue) for _ in range(3)]
    assert [conversation_route(c) for c in convs] == [mail_agent, mail_agent, None]


def test_an_agent_with_capacity_zero_takes_no_email(mail_queue, mail_agent):
    mail_agent.email_capacity = 0
    mail_agent.save()
    assert conversation_route(conversation_waiting(mail_queue)) is None


@pytest.mark.parametrize("duty", [Duty.RESERVED, Duty.ON_CALL, Duty.WRAP_UP, Duty.OFFLINE])
def test_an_agent_on_a_call_gets_no_new_conversation_but_keeps_theirs(mail_queue, mail_agent, duty):
    mine = conversation_waiting(mail_queue)
    conversation_route(mine)
    AgentProfile.objects.filter(pk=mail_agent.pk).update(duty_status=duty)
    assert conversation_route(conversation_waiting(mail_queue)) is None
    if duty != Duty.OFFLINE:
        conversations_sweep()
        mine.refresh_from_db()
        assert mine.status == Status.ASSIGNED and mine.agent == mail_agent


def test_waiting_conversations_reach_an_agent_who_goes_available(
    mail_queue, mail_agent, django_capture_on_commit_callbacks
):
    agent_duty_set(agent=mail_agent, available=False)
    waiting = [conversation_waiting(mail_queue) for _ in range(2)]
    assert conversation_route(waiting[0]) is None
    with django_capture_on_commit_callbacks(execute=True):
        agent_duty_set(agent=mail_agent, available=True)  # agent_available, on commit
    assert set(
        Conversation.objects.filter(pk__in=[c.pk for c in waiting]).values_list("agent", flat=True)
    ) == {mail_agent.pk}


def test_a_call_ending_frees_the_agent_for_email_again(mail_queue, mail_agent):
    AgentProfile.objects.filter(pk=mail_agent.pk).update(duty_status=Duty.WRAP_UP)
    conv = conversation_waiting(mail_queue)
    assert conversation_route(conv) is None
    presence.presence_wrap_up_end(agent_id=mail_agent.pk)
    conversations_sweep()  # the database is the truth: the sweep routes what waits
    conv.refresh_from_db()
    assert conv.agent == mail_agent


def test_going_offline_hands_unanswered_conversations_to_someone_else(
    acme, mail_line, mail_queue, mail_agent, django_capture_on_commit_callbacks
):
    ravi = verified_agent("ravi@example.com", full_name="Ravi Rao")
    engaged(ravi, acme, lines=[mail_line])
    conv = conversation_waiting(mail_queue)
    conversation_route(conv)
    assert conv.agent_id == mail_agent.pk
    ravi.duty_status, ravi.duty_changed_at = Duty.AVAILABLE, timezone.now()
    ravi.save()
    with django_capture_on_commit_callbacks(execute=True):
        agent_duty_set(agent=mail_agent, available=False)  # agent_offline, on commit
    conv.refresh_from_db()
    assert conv.agent == ravi and conv.status == Status.ASSIGNED
    kinds = list(conv.events.values_list("kind", flat=True))
    assert kinds == [Event.Kind.ASSIGNED, Event.Kind.RELEASED, Event.Kind.ASSIGNED, "reassigned"]


def test_the_sweep_releases_conversations_a_lost_signal_left_with_an_offline_agent(
    mail_queue, mail_agent
):
    conv = conversation_waiting(mail_queue)
    conversation_route(conv)
    AgentProfile.objects.filter(pk=mail_agent.pk).update(duty_status=Duty.OFFLINE)  # no signal
    assert conversations_sweep() == (1, 0)
    conv.refresh_from_db()
    assert conv.status == Status.WAITING and conv.agent is None


def test_the_sweep_releases_a_suspended_agents_or_an_ended_engagements_conversations(
    mail_queue, mail_agent
):
    first, second = conversation_waiting(mail_queue), conversation_waiting(mail_queue)
    conversation_route(first)
    mail_agent.engagements.update(status="ended")
    assert conversations_sweep() == (1, 0)
    conversation_route(second)
    assert Conversation.objects.filter(status=Status.WAITING).count() == 2
