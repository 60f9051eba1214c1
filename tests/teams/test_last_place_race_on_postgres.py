"""Two agents booking the last place of a half-hour at the same instant (PostgreSQL, real
threads): the slot's row lock lets one in, the other finds it full."""

import datetime as dt

import pytest

from common.errors import ConflictError
from teams.booking import booking_book
from teams.models import Booking, Slot
from tests.factories import verified_agent
from tests.routing.concurrency import in_threads
from tests.teams.conftest import engage

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

OPENED = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
NOW = OPENED + dt.timedelta(days=2)  # round two: everyone may book


def test_the_last_place_goes_to_exactly_one_of_two_agents_booking_at_once(claims):
    agents = [verified_agent(f"racer{n}@example.com") for n in range(8)]
    for agent in agents:
        engage(agent, claims)
    for attempt in range(5):  # a few rounds: a lost race shows up in one of them
        slot = Slot.objects.create(
            request=claims,
            starts_at=dt.datetime(2030, 1, 7, 4, tzinfo=dt.UTC)
            + dt.timedelta(minutes=30 * attempt),
            calls_per_hour=10,
            needed=1,
            opened_at=OPENED,
        )
        jobs = [
            (lambda user=a.user, pk=slot.pk: booking_book(actor=user, slot_id=pk, now=NOW))
            for a in agents
        ]
        results = in_threads(jobs, together=len(jobs), workers=len(jobs))
        booked = [r for r in results if isinstance(r, Booking)]
        refused = [r for r in results if isinstance(r, ConflictError)]
        assert len(booked) == 1 and len(refused) == len(agents) - 1, results
        assert all("full" in r.message for r in refused)
        assert Booking.objects.filter(slot=slot, status="booked").count() == 1
