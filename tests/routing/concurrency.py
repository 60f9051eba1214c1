"""Helpers for routing under real concurrency (PostgreSQL, real threads, own connections)."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connection

from accounts.models import User
from agents.models import AgentLanguage, AgentProfile, AgentSkill, AvailabilityWindow
from clients.models import Application, Engagement
from tests.routing.conftest import MANGALURU, round_the_clock_request

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


def in_threads(jobs: list, *, together: int, workers: int = WORKERS) -> list:
    """Run the jobs on `workers` threads; the first `together` start at the same instant."""
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

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, range(len(jobs)), jobs, timeout=120))
