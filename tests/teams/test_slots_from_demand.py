"""Slots opened from a request's demand: Erlang C per half-hour, only in worked hours."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from common.errors import ApplicationError, NotAllowed
from teams.models import Booking, RequestDemand, Slot
from teams.selectors import week_start_of
from teams.slots import agents_needed, request_demand_set, slots_open
from tests.teams.conftest import MONDAY, request_for

pytestmark = pytest.mark.django_db

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))


def test_erlang_c_sizes_a_hand_checked_half_hour(acme):
    # 100 calls/h x 180 s = 5 Erlangs. By hand: Erlang B(7, 5) = 0.1205, so C(7, 5) =
    # 7 * 0.1205 / (7 - 5 * 0.8795) = 0.324 and 7 agents answer 1 - 0.324 e^(-2*20/180) = 74%
    # within 20 s, short of 80%; B(8, 5) = 0.0700, C(8, 5) = 0.167, and 8 agents answer
    # 1 - 0.167 e^(-3*20/180) = 88%. 8 on the phones; with 30% shrinkage 8 / 0.7 = 11.4: 12.
    request = request_for(acme)
    assert agents_needed(request=request, calls_per_hour=Decimal("100")) == 12
    assert agents_needed(request=request, calls_per_hour=Decimal("0")) == 0


def test_a_flat_rate_opens_every_worked_half_hour_of_the_week(acme):
    request = request_for(acme)
    assert slots_open(request=request, week_start=MONDAY) == 5 * 18
    slots = Slot.objects.filter(request=request)
    assert {s.needed for s in slots} == {12}
    first = slots.first()
    assert first.starts_at == dt.datetime(2030, 1, 7, 9, 0, tzinfo=IST)
    assert slots.last().starts_at == dt.datetime(2030, 1, 11, 17, 30, tzinfo=IST)


def test_closed_hours_days_and_dates_get_no_slot(acme):
    request = request_for(acme, days="0", ends_at=dt.time(10, 15), end_date=MONDAY)
    slots_open(request=request, week_start=MONDAY)
    starts = [s.starts_at.astimezone(IST).time() for s in Slot.objects.filter(request=request)]
    # 09:00, 09:30 and 10:00 (which starts before 10:15); Tuesday is past the end date.
    assert starts == [dt.time(9), dt.time(9, 30), dt.time(10)]


def test_demand_by_half_hour_sets_each_slot_and_quiet_half_hours_get_none(acme):
    request = request_for(acme, days="0")
    RequestDemand.objects.create(request=request, weekday=0, half_hour=18, calls_per_hour=100)
    RequestDemand.objects.create(request=request, weekday=0, half_hour=19, calls_per_hour=20)
    slots_open(request=request, week_start=MONDAY)
    slots = list(Slot.objects.filter(request=request))
    assert [(s.starts_at.astimezone(IST).time(), s.needed) for s in slots] == [
        (dt.time(9), 12),
        (dt.time(9, 30), agents_needed(request=request, calls_per_hour=Decimal(20))),
    ]


def test_reopening_updates_needed_and_keeps_bookings_over_the_new_need(acme, ann, ben, claims):
    slots_open(request=claims, week_start=MONDAY)
    slot = Slot.objects.filter(request=claims).first()
    for agent in (ann, ben):
        Booking.objects.create(slot=slot, agent=agent, booked_at=slot.opened_at)
    RequestDemand.objects.create(request=claims, weekday=0, half_hour=18, calls_per_hour=1)
    slots_open(request=claims, week_start=MONDAY)
    slot.refresh_from_db()
    assert slot.needed == agents_needed(request=claims, calls_per_hour=Decimal(1)) == 2
    assert slot.bookings.filter(status="booked").count() == 2  # kept: over-booked now
    assert Slot.objects.filter(pk=slot.pk).exists()


def test_a_begun_half_hour_keeps_the_need_it_was_worked_against(acme, carol):
    today = timezone.localdate()
    request = request_for(acme, days="0123456", start_date=today - dt.timedelta(days=14))
    this_monday = week_start_of(today)
    weeks = (this_monday - dt.timedelta(weeks=1), this_monday + dt.timedelta(weeks=1))
    for week in weeks:  # last week's half-hours have all begun, next week's none
        slots_open(request=request, week_start=week)
    assert set(Slot.objects.filter(request=request).values_list("needed", flat=True)) == {12}
    request_demand_set(
        actor=carol,
        request=request,
        rows={(d, h): Decimal(1) for d in range(7) for h in range(18, 36)},
    )
    for week in weeks:
        slots_open(request=request, week_start=week)
    slots = Slot.objects.filter(request=request)
    assert {s.needed for s in slots if s.starts_at < timezone.now()} == {12}  # its history
    assert {s.needed for s in slots if s.starts_at > timezone.now()} == {2}
    assert slots.count() == 2 * 7 * 18


def test_new_york_slots_follow_its_clocks_across_the_dst_change(acme):
    # 2030-03-10 is the Sunday US clocks go forward: 02:00-03:00 does not happen.
    request = request_for(
        acme,
        time_zone="America/New_York",
        days="6",
        starts_at=dt.time(1),
        ends_at=dt.time(4),
        start_date=dt.date(2030, 3, 1),
        end_date=dt.date(2030, 4, 1),
    )
    slots_open(request=request, week_start=dt.date(2030, 3, 4))
    utc = [s.starts_at.astimezone(dt.UTC) for s in Slot.objects.filter(request=request)]
    # 01:00, 01:30 EST (UTC-5); 03:00, 03:30 EDT (UTC-4): the gap's 02:00 and 02:30 are skipped.
    assert [(t.hour, t.minute) for t in utc] == [(6, 0), (6, 30), (7, 0), (7, 30)]


def test_the_repeated_hour_of_a_fall_back_is_worked_twice(acme):
    # 2030-11-03: US clocks go back at 02:00, so 01:00-02:00 happens twice.
    request = request_for(
        acme,
        time_zone="America/New_York",
        days="6",
        starts_at=dt.time(1),
        ends_at=dt.time(2),
        start_date=dt.date(2030, 10, 1),
        end_date=dt.date(2030, 12, 1),
    )
    assert slots_open(request=request, week_start=dt.date(2030, 10, 28)) == 4


def test_only_a_person_of_the_requests_firm_sets_its_demand(acme, carol, dave, alice):
    request = request_for(acme)
    for outsider in (dave, alice):
        with pytest.raises(NotAllowed, match="Only your firm's people"):
            request_demand_set(actor=outsider, request=request, rows={(0, 18): Decimal(5)})
    assert request_demand_set(actor=carol, request=request, rows={(0, 18): Decimal(5)}) == 1


def test_demand_outside_its_bounds_is_refused_with_the_models_words(acme, carol):
    with pytest.raises(ApplicationError, match="Calls per hour are from 0 to 50000"):
        request_demand_set(actor=carol, request=request_for(acme), rows={(0, 18): Decimal(60000)})


def test_a_half_hour_needing_more_agents_than_a_slot_holds_is_refused_clearly(acme):
    request = request_for(acme, aht_seconds=3600, shrinkage=90)
    with pytest.raises(ApplicationError, match="more than the 32,767 a slot can hold"):
        agents_needed(request=request, calls_per_hour=Decimal(5000))
