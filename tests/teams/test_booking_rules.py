"""Booking half-hours: who may book, capacity, rounds, releases (late inside 48 h) and swaps
(up to 2 h before), each refusal with its own message."""

import datetime as dt

import pytest
from django.test import override_settings

from common.errors import ApplicationError, NotAllowed
from teams.booking import (
    booking_book,
    booking_release,
    booking_swap_accept,
    booking_swap_offer,
    booking_swap_withdraw,
)
from teams.models import Booking, Slot
from tests.factories import verified_agent
from tests.teams.conftest import MONDAY, engage, request_for

pytestmark = pytest.mark.django_db

OPENED = dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC)
ROUND_TWO = OPENED + dt.timedelta(hours=25)  # past the default 24 h


def slot_of(request, *, needed=2, starts_at=None) -> Slot:
    starts_at = starts_at or dt.datetime(2030, 1, 7, 4, 30, tzinfo=dt.UTC)  # 10:00 in India
    return Slot.objects.create(
        request=request, starts_at=starts_at, calls_per_hour=10, needed=needed, opened_at=OPENED
    )


@pytest.fixture
def slot(claims):
    return slot_of(claims)


def test_an_engaged_agent_books_a_place(ann, slot):
    booking = booking_book(actor=ann.user, slot_id=slot.pk, now=ROUND_TWO)
    assert (booking.agent, booking.slot, booking.status) == (ann, slot, Booking.Status.BOOKED)


def test_an_agent_not_engaged_on_the_request_cannot_book(slot):
    stranger = verified_agent("sam@example.com")
    with pytest.raises(NotAllowed, match="not engaged on this request"):
        booking_book(actor=stranger.user, slot_id=slot.pk, now=ROUND_TWO)


def test_an_ended_engagement_or_one_over_by_the_slots_day_cannot_book(claims, slot):
    ended = verified_agent("eve@example.com")
    engage(ended, claims, status="ended")
    early = verified_agent("flo@example.com")
    engage(early, claims, ends_on=MONDAY - dt.timedelta(days=1))
    for agent in (ended, early):
        with pytest.raises(NotAllowed, match="not engaged"):
            booking_book(actor=agent.user, slot_id=slot.pk, now=ROUND_TWO)


def test_a_firm_user_cannot_book(carol, slot):
    with pytest.raises(NotAllowed, match="Only agents"):
        booking_book(actor=carol, slot_id=slot.pk, now=ROUND_TWO)


def test_never_more_live_bookings_than_needed(claims, ann, ben):
    slot = slot_of(claims, needed=1)
    booking_book(actor=ann.user, slot_id=slot.pk, now=ROUND_TWO)
    with pytest.raises(ApplicationError, match="full"):
        booking_book(actor=ben.user, slot_id=slot.pk, now=ROUND_TWO)
    assert slot.bookings.filter(status="booked").count() == 1


def test_booking_twice_is_refused(ann, slot):
    booking_book(actor=ann.user, slot_id=slot.pk, now=ROUND_TWO)
    with pytest.raises(ApplicationError, match="already booked"):
        booking_book(actor=ann.user, slot_id=slot.pk, now=ROUND_TWO)


def test_a_started_half_hour_cannot_be_booked(ann, slot):
    with pytest.raises(ApplicationError, match="has started"):
        booking_book(actor=ann.user, slot_id=slot.pk, now=slot.starts_at)


def test_round_one_is_for_agents_rated_high_enough_and_round_two_for_all(claims, ann, ben):
    # Ann worked all her booked half-hours last month; Ben has no history yet.
    past = slot_of(claims, starts_at=OPENED - dt.timedelta(days=3))
    Booking.objects.create(slot=past, agent=ann, booked_at=past.opened_at)
    ann.duty_spells.create(started_at=past.starts_at, ended_at=past.ends_at)
    slot = slot_of(claims)
    round_one = OPENED + dt.timedelta(hours=1)
    assert booking_book(actor=ann.user, slot_id=slot.pk, now=round_one)
    with pytest.raises(ApplicationError, match="opens first for agents with adherence"):
        booking_book(actor=ben.user, slot_id=slot.pk, now=round_one)
    assert booking_book(actor=ben.user, slot_id=slot.pk, now=ROUND_TWO)


@override_settings(TEAMS_ROUND_TWO_AFTER_HOURS=2)
def test_the_second_round_opens_after_the_setting(ben, slot):
    assert booking_book(actor=ben.user, slot_id=slot.pk, now=OPENED + dt.timedelta(hours=2))


def test_a_release_more_than_48_hours_ahead_is_not_late(ann, slot):
    booking = booking_book(actor=ann.user, slot_id=slot.pk, now=ROUND_TWO)
    released = booking_release(
        actor=ann.user, booking_id=booking.pk, now=slot.starts_at - dt.timedelta(hours=49)
    )
    assert (released.status, released.late_release) == (Booking.Status.RELEASED, False)


def test_a_release_inside_48_hours_is_late_and_frees_the_place(claims, ann, ben):
    slot = slot_of(claims, needed=1)
    booking = booking_book(actor=ann.user, slot_id=slot.pk, now=ROUND_TWO)
    released = booking_release(
        actor=ann.user, booking_id=booking.pk, now=slot.starts_at - dt.timedelta(hours=47)
    )
    assert released.late_release is True
    assert booking_book(actor=ben.user, slot_id=slot.pk, now=ROUND_TWO)


def test_a_release_after_the_start_or_of_anothers_booking_is_refused(ann, ben, slot):
    booking = booking_book(actor=ann.user, slot_id=slot.pk, now=ROUND_TWO)
    with pytest.raises(NotAllowed, match="not yours"):
        booking_release(actor=ben.user, booking_id=booking.pk, now=ROUND_TWO)
    with pytest.raises(ApplicationError, match="can no longer be released"):
        booking_release(actor=ann.user, booking_id=booking.pk, now=slot.starts_at)


def test_a_swap_offered_and_accepted_moves_the_booking(ann, ben, slot):
    booking = booking_book(actor=ann.user, slot_id=slot.pk, now=ROUND_TWO)
    booking_swap_offer(actor=ann.user, booking_id=booking.pk, to_agent_id=ben.pk, now=ROUND_TWO)
    taken = booking_swap_accept(
        actor=ben.user, booking_id=booking.pk, now=slot.starts_at - dt.timedelta(hours=2)
    )
    booking.refresh_from_db()
    assert booking.status == Booking.Status.SWAPPED
    assert (taken.agent, taken.status, taken.swapped_from) == (ben, Booking.Status.BOOKED, booking)
    assert slot.bookings.filter(status="booked").count() == 1


def test_swaps_close_two_hours_before_the_start(ann, ben, slot):
    booking = booking_book(actor=ann.user, slot_id=slot.pk, now=ROUND_TWO)
    late = slot.starts_at - dt.timedelta(hours=1, minutes=59)
    with pytest.raises(ApplicationError, match="Swaps close 2 hours"):
        booking_swap_offer(actor=ann.user, booking_id=booking.pk, to_agent_id=ben.pk, now=late)
    booking_swap_offer(actor=ann.user, booking_id=booking.pk, to_agent_id=ben.pk, now=ROUND_TWO)
    with pytest.raises(ApplicationError, match="Swaps close 2 hours"):
        booking_swap_accept(actor=ben.user, booking_id=booking.pk, now=late)


def test_a_swap_goes_only_to_an_engaged_agent_of_the_same_request(acme, ann, slot):
    other_request = request_for(acme, title="Another desk")
    outsider = verified_agent("olga@example.com")
    engage(outsider, other_request)
    booking = booking_book(actor=ann.user, slot_id=slot.pk, now=ROUND_TWO)
    with pytest.raises(NotAllowed, match="That agent is not engaged"):
        booking_swap_offer(
            actor=ann.user, booking_id=booking.pk, to_agent_id=outsider.pk, now=ROUND_TWO
        )


def test_only_the_agent_offered_may_accept_and_a_withdrawn_offer_is_gone(ann, ben, claims, slot):
    carl = verified_agent("carl@example.com")
    engage(carl, claims)
    booking = booking_book(actor=ann.user, slot_id=slot.pk, now=ROUND_TWO)
    booking_swap_offer(actor=ann.user, booking_id=booking.pk, to_agent_id=ben.pk, now=ROUND_TWO)
    with pytest.raises(ApplicationError, match="no longer on offer to you"):
        booking_swap_accept(actor=carl.user, booking_id=booking.pk, now=ROUND_TWO)
    booking_swap_withdraw(actor=ann.user, booking_id=booking.pk)
    with pytest.raises(ApplicationError, match="no longer on offer to you"):
        booking_swap_accept(actor=ben.user, booking_id=booking.pk, now=ROUND_TWO)
