"""Calls go only where the firm approved them: an engagement of the agent's must cover the
call's line, and its request must cover the moment (its days, hours and dates, in its zone).

Every case is asked three ways: the ORM form (`engagement_covering`), the SQL form routing
ranks with (the decision's candidates), and the decision's explanation of who was skipped.
Runs on SQLite and PostgreSQL (`make test` runs both): the SQL form differs per vendor.
"""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from agents.models import AgentProfile
from clients.models import Engagement, StaffingRequest
from clients.selectors import engagement_covering
from routing.models import Call, RoutingDecision
from routing.services import call_route, call_start, decision_explain, queue_dispatch
from tests.factories import PhoneLineFactory
from tests.routing.conftest import LANDLINE_MANGALURU, engage, round_the_clock_request
from tests.routing.conftest import routable_agent as agent_of

pytestmark = pytest.mark.django_db
IST = zoneinfo.ZoneInfo("Asia/Kolkata")
MONDAY = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())


def ist(days: int, hour: int, minute: int = 0) -> dt.datetime:
    """`days` after next Monday, at hour:minute in India."""
    return dt.datetime.combine(MONDAY + dt.timedelta(days=days), dt.time(hour, minute), IST)


@pytest.fixture
def claims(acme):
    return PhoneLineFactory(firm=acme, name="Claims helpline")


@pytest.fixture
def policy(acme):
    return PhoneLineFactory(firm=acme, name="Policy desk")


def engaged(agent, firm, *, lines, request: StaffingRequest, **dates) -> Engagement:
    engagement = engage(agent, firm, lines=lines)
    Engagement.objects.filter(pk=engagement.pk).update(request=request, **dates)
    engagement.refresh_from_db()
    return engagement


def decided(line, at, sid="CA1") -> tuple[Call, RoutingDecision]:
    call = call_start(
        provider="test", provider_call_id=sid, to=str(line.number), caller=LANDLINE_MANGALURU, at=at
    )
    call_route(call_id=call.pk, at=at)
    call.refresh_from_db()
    # Opened (explained) afterwards: the engagement's dates and hours are judged at `at`.
    return call, decision_explain(RoutingDecision.objects.filter(call=call).last())


REQUEST = {"days": "01234", "starts_at": dt.time(9), "ends_at": dt.time(18)}
REQUEST |= {"start_date": -7, "end_date": 14}
ENGAGEMENT = {"starts_on": -7, "ends_on": 14}
NEW_YORK = {"time_zone": "America/New_York"}
ALL_DAY = {"starts_at": dt.time(0), "ends_at": dt.time(23, 59)}
SUNDAY_THERE = NEW_YORK | ALL_DAY | {"days": "6"}
MONDAY_THERE = NEW_YORK | ALL_DAY | {"days": "0"}
HOURS = "outside the engagement's hours"

# The request works Monday to Friday, 09:00-18:00 in India, from a week before next Monday
# to two weeks after, as does the engagement; each case changes one thing. Fields: the line
# the engagement lists, request fields and engagement dates changed (dates in days from next
# Monday), the moment (in India), and why the agent is skipped (None: they are offered it).
CASES = {
    "on-the-line": ("claims", {}, {}, ist(0, 10), None),
    "another-line-of-the-firm": ("policy", {}, {}, ist(0, 10), "not engaged on this line"),
    "before-opening": ("claims", {}, {}, ist(0, 8, 59), HOURS),
    "last-minute": ("claims", {}, {}, ist(0, 17, 59), None),
    "at-closing": ("claims", {}, {}, ist(0, 18), HOURS),
    "saturday": ("claims", {}, {}, ist(5, 10), HOURS),
    # 20:00 in India is 09:30 (10:30 in summer) in New York: inside the request's hours.
    "hours-in-its-zone": ("claims", NEW_YORK, {}, ist(0, 20), None),
    "closed-in-its-zone": ("claims", NEW_YORK, {}, ist(0, 10), HOURS),
    # Monday 05:00 in India is Sunday evening in New York.
    "sunday-in-its-zone": ("claims", SUNDAY_THERE, {}, ist(0, 5), None),
    "monday-in-india-only": ("claims", MONDAY_THERE, {}, ist(0, 5), HOURS),
    "request-not-started": ("claims", {"start_date": 1}, {}, ist(0, 10), "engagement not started"),
    "engagement-not-started": (
        "claims",
        {},
        {"starts_on": 1},
        ist(0, 10),
        "engagement not started",
    ),
    "engagement-ended": ("claims", {}, {"ends_on": -1}, ist(0, 10), "engagement ended"),
    "request-ended": ("claims", {"end_date": -1}, {}, ist(0, 10), "engagement ended"),
}


def _days(fields: dict) -> dict:
    """Whole numbers among `fields` are days from next Monday."""
    return {
        k: MONDAY + dt.timedelta(days=v) if isinstance(v, int) else v for k, v in fields.items()
    }


@pytest.mark.parametrize(
    ("on", "request_fields", "dates", "at", "reason"), CASES.values(), ids=CASES
)
def test_a_call_is_offered_only_under_an_engagement_covering_its_line_now(
    acme, claims, policy, on, request_fields, dates, at, reason
):
    meera = agent_of(None, "meera@example.com")
    request = round_the_clock_request(acme, **_days(REQUEST | request_fields))
    lines = [{"claims": claims, "policy": policy}[on]]
    engagement = engaged(meera, acme, lines=lines, request=request, **_days(ENGAGEMENT | dates))
    covering = None if reason else engagement

    call, decision = decided(claims, at)

    assert engagement_covering(agent=meera, line=claims, at=at) == covering  # the ORM form
    ranked = [row["agent"] for row in decision.candidates]  # the SQL form
    assert ranked == ([meera.pk] if covering else [])
    assert (call.agent, call.engagement) == ((meera, engagement) if covering else (None, None))
    skipped = {row["agent"]: row["reasons"] for row in decision.skipped}
    assert skipped == ({} if covering else {meera.pk: [reason]})


def test_an_agent_freeing_up_is_dispatched_only_a_call_their_engagement_covers(
    acme, claims, policy
):
    at = ist(0, 10)
    request = round_the_clock_request(acme, **_days(REQUEST))
    meera, priya = (agent_of(None, f"{name}@example.com") for name in ("meera", "priya"))
    engaged(meera, acme, lines=[policy], request=request, **_days(ENGAGEMENT))
    on_claims = engaged(priya, acme, lines=[claims], request=request, **_days(ENGAGEMENT))
    AgentProfile.objects.update(duty_status=AgentProfile.Duty.OFFLINE)
    call, _decision = decided(claims, at)  # nobody free: it waits
    AgentProfile.objects.update(duty_status=AgentProfile.Duty.AVAILABLE)

    assert queue_dispatch(agent_id=meera.pk, at=at) is None
    assert queue_dispatch(agent_id=priya.pk, at=at) == call
    call.refresh_from_db()
    assert (call.agent, call.engagement) == (priya, on_claims)
