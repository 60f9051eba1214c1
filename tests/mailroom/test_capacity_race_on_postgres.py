"""Routes racing on PostgreSQL (real threads, own connections): the agent row's lock and the
count after it keep every agent within their email capacity, and each conversation goes to
one agent once."""

import pytest
from django.db.models import Count
from django.utils import timezone

from agents.models import AgentProfile
from mailroom.assignment import conversation_route
from mailroom.models import Conversation, Event
from tests.mailroom.conversations import conversation_waiting
from tests.routing.concurrency import agents_engaged, in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_routes_never_exceed_an_agents_capacity(acme, mail_line, mail_queue):
    crew = agents_engaged(acme, 3, at=timezone.now())
    AgentProfile.objects.filter(pk__in=[a.pk for a in crew]).update(email_capacity=2)
    convs = [conversation_waiting(mail_queue) for _ in range(10)]
    outcomes = in_threads([lambda c=c: conversation_route(c) for c in convs], together=10)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(o is not None for o in outcomes) == 6  # 3 agents x 2 places
    held = (
        Conversation.objects.filter(status="assigned")
        .values("agent")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )
    assert sorted(held) == [2, 2, 2]
    assert Event.objects.filter(kind=Event.Kind.ASSIGNED).count() == 6


def test_one_conversation_routed_from_many_threads_is_assigned_once(acme, mail_line, mail_queue):
    agents_engaged(acme, 4, at=timezone.now())
    conv = conversation_waiting(mail_queue)
    outcomes = in_threads([lambda: conversation_route(conv) for _ in range(8)], together=8)
    assert sum(o is not None and not isinstance(o, Exception) for o in outcomes) == 1
    assert conv.events.filter(kind=Event.Kind.ASSIGNED).count() == 1
