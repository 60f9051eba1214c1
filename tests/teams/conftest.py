"""Personas of the teams tests: adele runs the agency's franchises, leo and lena lead; and
for schedules, a request of acme's worked Monday-Friday 09:00-18:00 in India with verified
agents engaged on it (ann, ben)."""

import datetime as dt
from decimal import Decimal

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from accounts.models import User
from clients.models import Engagement
from teams.models import Franchise, FranchiseMember
from tests.conftest import STAFF_TOTP_SECRET
from tests.factories import StaffingRequestFactory, UserFactory, engage_on_request, verified_agent

KOCHI_ID, CHENNAI_ID = 1273874, 1264527  # the gazetteer's Kochi and Chennai


def lead_user(email: str, *, totp: bool = True) -> User:
    user = UserFactory(email=email, role=User.Role.TEAM_LEAD, name=email.split("@")[0].title())
    if totp:
        TOTP.activate(user, STAFF_TOTP_SECRET)
    return user


def team(name: str, lead: User | None, *agents, where=(9.93, 76.27), geoname_id=KOCHI_ID):
    franchise = Franchise.objects.create(
        name=name,
        geoname_id=geoname_id,
        city=name.split()[0],
        latitude=where[0],
        longitude=where[1],
        lead=lead,
    )
    for agent in agents:
        FranchiseMember.objects.create(franchise=franchise, agent=agent)
    return franchise


@pytest.fixture
def adele(db) -> User:
    """An agency administrator (not a superuser), with TOTP."""
    user = UserFactory(email="adele@homeshore.example", role=User.Role.ADMIN)
    TOTP.activate(user, STAFF_TOTP_SECRET)
    return user


@pytest.fixture
def leo(db) -> User:
    return lead_user("leo@homeshore.example")


@pytest.fixture
def lena(db) -> User:
    return lead_user("lena@homeshore.example")


# --- schedules (half-hour slots and bookings) ------------------------------------------
MONDAY = dt.date(2030, 1, 7)  # a Monday well ahead (the factories' dates are set per test)


def request_for(firm, **fields):
    base = {
        "days": "01234",
        "starts_at": dt.time(9),
        "ends_at": dt.time(18),
        "time_zone": "Asia/Kolkata",
        "start_date": MONDAY - dt.timedelta(days=14),
        "end_date": MONDAY + dt.timedelta(days=60),
        "calls_per_hour": Decimal("100"),
        "aht_seconds": 180,
        "target_level": 80,
        "target_seconds": 20,
        "shrinkage": 30,
    }
    return StaffingRequestFactory(firm=firm, **(base | fields))


def engage(agent, request, *, status="active", starts_on=None, ends_on=None) -> Engagement:
    return engage_on_request(agent, request, status=status, starts_on=starts_on, ends_on=ends_on)


@pytest.fixture
def claims(acme):
    return request_for(acme)


@pytest.fixture
def ann(claims):
    agent = verified_agent("ann@example.com", full_name="Ann Agent")
    engage(agent, claims)
    return agent


@pytest.fixture
def ben(claims):
    agent = verified_agent("ben@example.com", full_name="Ben Agent")
    engage(agent, claims)
    return agent
