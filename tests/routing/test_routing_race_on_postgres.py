"""Routing under real concurrency on PostgreSQL: many callers, few agents, no double booking.

Threads have their own connections; only the services' locks (SKIP LOCKED pick, then a
compare-and-set reservation) and the partial unique index keep each agent on one call.
"""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.db.models import Count

from accounts.models import User
from agents.models import AgentLanguage, AgentProfile, AgentSkill, AvailabilityWindow
from clients.models import Application, Engagement
from routing.models import Call, RoutingDecision
from routing.services import call_route, call_start, queue_dispatch
from tests.factories import PhoneLineFactory
from tests.routing.conftest import LANDLINE_MANGALURU as LANDLINE
from tests.routing.conftest import MANGALURU, round_the_clock_request, routing_now

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
WORKERS = 32  # threads, each with a connection: well under PostgreSQL's 100
WEEK = 7 * 24 * 60


def agents_engaged(firm, count: int, *, at: dt.datetime) -> list[AgentProfile]:
    """`count` routable agents around Mangaluru, engaged with `firm`: a few bulk INSERTs."""
    users = User.objects.bulk_create(
        User(email=f"agent{n}@race.example", name=f"Agent {n}", password="!") for n in range(count)
    )
    agents = AgentProfile.objects.bulk_create(
        AgentProfile(
            user=user,
            full_name=user.name,
            status=AgentProfile.Status.VERIFIED,
            latitude=MANGALURU[0] + n * 0.01,
            longitude=MANGALURU[1],
            phone=f"+9198450{n:05d}",
            duty_status=AgentProfile.Duty.AVAILABLE,
            duty_changed_at=at - dt.timedelta(minutes=n),
        )
        for n, user in enumerate(users)
    )
    AgentLanguage.objects.bulk_create(
        AgentLanguage(agent=a, language="en", proficiency=4) for a in agents
    )
    AgentSkill.objects.bulk_create(
        AgentSkill(agent=a, domain="insurance", level=4, years=5) for a in agents
    )
    AvailabilityWindow.objects.bulk_create(  # the whole week, in UTC minutes
        AvailabilityWindow(
            agent=a,
            weekday=0,
            start=dt.time(0),
            end=dt.time(23, 59),
            utc_start_minute=0,
            utc_end_minute=WEEK,
        )
        for a in agents
    )
    request = round_the_clock_request(firm, headcount=count)
    applications = Application.objects.bulk_create(
        Application(request=request, agent=a, status="approved") for a in agents
    )
    today = at.date()
    engagements = Engagement.objects.bulk_create(
        Engagement(
            firm=firm,
            agent=app.agent,
            request=request,
            application=app,
            rate_unit="call",
            client_rate=40,
            agent_rate=28,
            minimum_per_call=0,
            agent_minimum_per_call=0,
            currency="INR",
            starts_on=today - dt.timedelta(days=1),
            ends_on=today + dt.timedelta(days=30),
        )
        for app in applications
    )
    Engagement.lines.through.objects.bulk_create(  # on every line of the firm
        Engagement.lines.through(engagement=e, phoneline=line)
        for e in engagements
        for line in firm.lines.all()
    )
    return agents


def calls_started(line, count: int, *, at: dt.datetime) -> list[Call]:
    # One arrival instant: no call waits behind an older one, every call races for an agent.
    to = str(line.number)
    return [
        call_start(provider="race", provider_call_id=f"CA{n}", to=to, caller=LANDLINE, at=at)
        for n in range(count)
    ]


def in_threads(jobs: list, *, together: int) -> list:
    """Run the jobs on WORKERS threads; the first `together` start at the same instant."""
    barrier = threading.Barrier(together)

    def run(index: int, job):
        try:
            if index < together:
                barrier.wait(timeout=30)
            return job()
        except Exception as error:
            return error
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(run, range(len(jobs)), jobs, timeout=120))


def route(call_id: int, at: dt.datetime):
    return lambda: call_route(call_id=call_id, at=at)


@pytest.mark.parametrize("round_", [1, 2, 3])
def test_200_callers_racing_for_50_agents_book_each_agent_exactly_once(acme, round_):
    at = routing_now()
    line = PhoneLineFactory(firm=acme)
    agents = agents_engaged(acme, 50, at=at)
    calls = calls_started(line, 200, at=at)
    outcomes = in_threads([route(c.pk, at) for c in calls], together=WORKERS)

    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert not errors, errors[:3]
    placed = [o.agent.pk for o in outcomes if o.agent is not None]
    assert len(placed) == len(set(placed)) == 50
    assert Call.objects.filter(status="offered").count() == 50
    assert Call.objects.filter(status="queued").count() == 150
    live = Call.objects.filter(status="offered").values("agent").annotate(n=Count("id"))
    assert {row["agent"] for row in live} == {a.pk for a in agents}
    assert {row["n"] for row in live} == {1}
    assert AgentProfile.objects.filter(duty_status="reserved").count() == 50
    outcomes_recorded = RoutingDecision.objects.values_list("outcome", flat=True)
    assert sorted(set(outcomes_recorded)) == ["offered", "queued"]
    assert list(outcomes_recorded).count("offered") == 50


@pytest.mark.parametrize("rival", ["queue_dispatch", "call_route"])
def test_two_calls_racing_for_the_last_free_agent_get_them_once(acme, rival):
    at = routing_now()
    line = PhoneLineFactory(firm=acme)
    [sita] = agents_engaged(acme, 1, at=at)
    first, second = calls_started(line, 2, at=at)
    for _ in range(20):  # many interleavings, same data
        Call.objects.update(status="queued", agent=None, offered_at=None, attempts=0)
        AgentProfile.objects.update(duty_status="available")
        if rival == "queue_dispatch":
            other = lambda: queue_dispatch(agent_id=sita.pk, at=at)  # noqa: E731
        else:
            other = route(first.pk, at)
        outcomes = in_threads([other, route(second.pk, at)], together=2)
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        offered = Call.objects.filter(status="offered")
        assert offered.count() == 1 and offered.get().agent_id == sita.pk
        assert AgentProfile.objects.get(pk=sita.pk).duty_status == "reserved"
