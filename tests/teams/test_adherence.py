"""Adherence: booked minutes spent on duty, a late release counting as a booked half-hour
not worked; no-shows told to the franchise's lead; duty spells written by the duty switch."""

import datetime as dt

import pytest
from django.template.loader import render_to_string

from accounts.models import Notification
from agents.models import DutySpell
from agents.services import agent_duty_set
from teams.adherence import agent_adherence, team_adherence
from teams.booking import no_shows_notify
from teams.models import Booking, Franchise, FranchiseMember, Slot
from tests.factories import UserFactory
from tests.teams.conftest import MONDAY

pytestmark = pytest.mark.django_db

UTC = dt.UTC
AFTER = dt.datetime(2030, 1, 20, tzinfo=UTC)  # the week is long over


def booked(agent, request, starts_at, **fields) -> Booking:
    slot, _ = Slot.objects.get_or_create(
        request=request,
        starts_at=starts_at,
        defaults={"calls_per_hour": 10, "needed": 3, "opened_at": starts_at - dt.timedelta(days=7)},
    )
    return Booking.objects.create(slot=slot, agent=agent, booked_at=slot.opened_at, **fields)


def at(hour: int, minute: int = 0, day: int = 0) -> dt.datetime:
    """MONDAY (India) at hour:minute UTC, `day` days on."""
    return dt.datetime.combine(MONDAY + dt.timedelta(days=day), dt.time(hour, minute), tzinfo=UTC)


def test_adherence_is_booked_minutes_on_duty_with_late_releases_counted_against(ann, claims):
    booked(ann, claims, at(4))  # 04:00-04:30 UTC: on duty from 04:00 to 04:15
    booked(ann, claims, at(4, 30))  # 04:30-05:00: not on duty at all
    booked(ann, claims, at(5), status="released", late_release=True)
    booked(ann, claims, at(5, 30), status="released", late_release=False)  # in time: not counted
    DutySpell.objects.create(agent=ann, started_at=at(3, 50), ended_at=at(4, 15))
    figures = agent_adherence(agent=ann, week_start=MONDAY, now=AFTER)
    # 15 of 60 booked minutes on duty; the late release adds 30 unworked: 15 / 90 = 17%.
    assert figures == {"booked": 60, "on_duty": 15, "late": 1, "no_shows": 1, "percent": 17}


def test_an_open_spell_counts_up_to_now_and_a_future_slot_is_not_judged(ann, claims):
    booked(ann, claims, at(4))
    booked(ann, claims, at(6))  # not over at `now`
    DutySpell.objects.create(agent=ann, started_at=at(3))
    figures = agent_adherence(agent=ann, week_start=MONDAY, now=at(5))
    assert (figures["booked"], figures["on_duty"], figures["percent"]) == (30, 30, 100)


def test_nothing_booked_has_no_figure(ann):
    assert agent_adherence(agent=ann, week_start=MONDAY, now=AFTER)["percent"] is None


def test_the_week_is_read_in_the_agents_time_zone(ann, claims):
    # Sunday 20:00 UTC is already Monday 01:30 in India: in the week of MONDAY for Ann.
    booked(ann, claims, at(20, day=-1))
    assert agent_adherence(agent=ann, week_start=MONDAY, now=AFTER)["booked"] == 30


@pytest.fixture
def team(ann, ben):
    lead = UserFactory(email="lena@homeshore.example", role="team_lead")
    franchise = Franchise.objects.create(
        name="Mangaluru",
        geoname_id=1263780,
        city="Mangaluru",
        latitude=12.9,
        longitude=74.8,
        lead=lead,
    )
    for agent in (ann, ben):
        FranchiseMember.objects.create(franchise=franchise, agent=agent)
    return franchise


def test_team_adherence_has_a_row_per_agent_of_the_franchise(team, ann, ben, claims, alice):
    booked(ann, claims, at(4))
    DutySpell.objects.create(agent=ann, started_at=at(4), ended_at=at(4, 30))
    booked(ben, claims, at(4))
    rows = team_adherence(franchise=team, week_start=MONDAY, now=AFTER)
    assert [(r["agent"], r["percent"], r["no_shows"]) for r in rows] == [(ann, 100, 0), (ben, 0, 1)]


def test_team_adherence_takes_three_queries(team, claims, ann, django_assert_num_queries):
    booked(ann, claims, at(4))
    with django_assert_num_queries(3):
        team_adherence(franchise=team, week_start=MONDAY, now=AFTER)


def test_a_no_show_is_told_to_the_lead_once(team, ann, ben, claims):
    booked(ann, claims, at(4))  # no duty at all
    booked(ben, claims, at(4))
    DutySpell.objects.create(agent=ben, started_at=at(4, 5))  # within the first 10 minutes
    assert no_shows_notify(now=at(4, 20)) == 1
    assert no_shows_notify(now=at(4, 25)) == 0
    told = Notification.objects.get(kind=Notification.Kind.NO_SHOW)
    assert told.recipient == team.lead and "Ann Agent" in told.title


def test_going_on_and_off_duty_writes_one_spell(ann):
    agent_duty_set(agent=ann, available=True)
    agent_duty_set(agent=ann, available=True)
    assert DutySpell.objects.filter(agent=ann, ended_at=None).count() == 1
    agent_duty_set(agent=ann, available=False)
    spell = DutySpell.objects.get(agent=ann)
    assert spell.ended_at is not None and spell.ended_at >= spell.started_at


def test_the_team_adherence_include_renders_the_selectors_rows(team, ann, claims):
    booked(ann, claims, at(4))
    DutySpell.objects.create(agent=ann, started_at=at(4), ended_at=at(4, 15))
    rows = team_adherence(franchise=team, week_start=MONDAY, now=AFTER)
    html = render_to_string("teams/_team_adherence.html", {"rows": rows, "week_start": MONDAY})
    assert "Ann Agent" in html and "50%" in html and "Ben Agent" in html
