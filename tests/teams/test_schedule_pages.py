"""The schedule pages: the firm's demand and coverage (its own requests only), the agent's
week grid with its forms, and the home panel."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from teams.models import Booking, RequestDemand, Slot
from tests.teams.conftest import engage, request_for

pytestmark = pytest.mark.django_db

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))  # the agents' and the request's zone


def ist_week(at: dt.datetime) -> str:
    """The ?week= of the day `at` falls on in India (not its UTC day: they differ at night)."""
    return f"{at.astimezone(IST):%Y-%m-%d}"


@pytest.fixture
def live(acme):
    """A request of acme's worked today and for weeks to come (pages read the real clock)."""
    today = timezone.localdate()
    return request_for(
        acme,
        days="0123456",
        start_date=today - dt.timedelta(days=7),
        end_date=today + dt.timedelta(days=60),
    )


def test_another_firms_request_is_a_404_on_every_firm_page(client, dave, live):
    client.force_login(dave)
    for name in ("schedules:demand", "schedules:coverage"):
        assert client.get(reverse(name, args=[live.pk])).status_code == 404
    assert (
        client.post(reverse("schedules:demand", args=[live.pk]), {"action": "flat"}).status_code
        == 404
    )


def test_agents_cannot_open_the_firm_pages(client, alice, live):
    client.force_login(alice)
    assert client.get(reverse("schedules:coverage", args=[live.pk])).status_code == 403


def test_the_grid_saves_demand_and_opens_slots_from_it(client, carol, live):
    client.force_login(carol)
    page = client.get(reverse("schedules:demand", args=[live.pk]))
    assert page.status_code == 200 and b"Week grid" in page.content
    form = {"action": "grid", "d0_18": "40", "d0_19": ""}
    answer = client.post(reverse("schedules:demand", args=[live.pk]), form)
    assert answer.status_code == 302
    assert RequestDemand.objects.get(request=live, weekday=0, half_hour=18).calls_per_hour == 40
    assert RequestDemand.objects.get(request=live, weekday=0, half_hour=19).calls_per_hour == 0
    assert Slot.objects.filter(request=live).exists()


def test_a_bad_grid_cell_is_shown_next_to_its_field(client, carol, live):
    client.force_login(carol)
    answer = client.post(
        reverse("schedules:demand", args=[live.pk]), {"action": "grid", "d0_18": "99999"}
    )
    assert answer.status_code == 200
    assert "Calls per hour are from 0 to 50000" in answer.content.decode()
    assert not RequestDemand.objects.filter(request=live).exists()


def test_a_csv_paste_saves_demand_and_bad_lines_say_which(client, carol, live):
    client.force_login(carol)
    url = reverse("schedules:demand", args=[live.pk])
    answer = client.post(
        url, {"action": "csv", "csv": "weekday,time,calls\nMon,09:00,40\n2,10:30,12.5"}
    )
    assert answer.status_code == 302
    assert dict(RequestDemand.objects.values_list("half_hour", "calls_per_hour")) == {
        18: Decimal(40),
        21: Decimal("12.5"),
    }
    # The paste's silent zeros are said: 7 days x 18 worked half-hours, two of them listed.
    saved = client.get(url).content.decode()
    assert "Demand saved: 2 of the 126 worked half-hours have calls, the others need" in saved
    for bad, words in [
        ("Mon,09:15,4", "Line 1: the time is a half-hour"),
        ("Funday,09:00,4", "Line 1: the weekday"),
        ("Mon,09:00,-1", "Line 1: calls per hour are a number from 0"),
        ("Mon,09:00,4\nMon,09:00,5", "Line 2: Mon 09:00 is given twice"),
        ("Mon;09:00;4", "Line 1: write weekday,HH:MM,calls_per_hour"),
    ]:
        answer = client.post(url, {"action": "csv", "csv": bad})
        assert words in answer.content.decode(), bad


def test_the_flat_rate_button_drops_the_demand(client, carol, live):
    RequestDemand.objects.create(request=live, weekday=0, half_hour=18, calls_per_hour=4)
    client.force_login(carol)
    client.post(reverse("schedules:demand", args=[live.pk]), {"action": "flat"})
    assert not RequestDemand.objects.filter(request=live).exists()


def test_the_coverage_map_shows_needed_booked_and_a_legend(client, carol, live, ann):
    slot = Slot.objects.create(
        request=live, starts_at=timezone.now() + dt.timedelta(hours=3), calls_per_hour=4, needed=2
    )
    Booking.objects.create(slot=slot, agent=ann, booked_at=timezone.now())
    client.force_login(carol)
    week = ist_week(slot.starts_at)
    page = client.get(reverse("schedules:coverage", args=[live.pk]), {"week": week})
    text = page.content.decode()
    assert page.status_code == 200
    assert "1 / 2" in text and "heat-part" in text and 'aria-label="Legend"' in text


def test_the_agent_books_from_the_week_grid_and_sees_the_booking(client, live, ann):
    engage(ann, live)
    slot = Slot.objects.create(
        request=live,
        starts_at=timezone.now() + dt.timedelta(days=3),
        calls_per_hour=4,
        needed=2,
        opened_at=timezone.now() - dt.timedelta(days=2),
    )
    client.force_login(ann.user)
    week = ist_week(slot.starts_at)
    page = client.get(reverse("schedule:week"), {"week": week})
    assert "2 places left" in page.content.decode()
    answer = client.post(reverse("schedule:book", args=[slot.pk]), {"week": week})
    assert answer.status_code == 302
    assert Booking.objects.filter(slot=slot, agent=ann, status="booked").exists()
    page = client.get(reverse("schedule:week"), {"week": week})
    assert "Release" in page.content.decode()


def test_another_agents_booking_cannot_be_released_from_the_page(client, live, ann, ben):
    slot = Slot.objects.create(
        request=live, starts_at=timezone.now() + dt.timedelta(days=3), calls_per_hour=4, needed=2
    )
    booking = Booking.objects.create(slot=slot, agent=ann, booked_at=timezone.now())
    client.force_login(ben.user)
    answer = client.post(reverse("schedule:release", args=[booking.pk]), follow=True)
    assert "That booking is not yours." in answer.content.decode()
    booking.refresh_from_db()
    assert booking.status == "booked"


def test_the_week_grid_does_not_show_requests_the_agent_is_not_engaged_on(client, live, alice):
    Slot.objects.create(
        request=live, starts_at=timezone.now() + dt.timedelta(hours=3), calls_per_hour=4, needed=2
    )
    client.force_login(alice)
    page = client.get(reverse("schedule:week"))
    assert live.title not in page.content.decode()


def test_the_agents_home_shows_the_weeks_adherence(client, ann):
    client.force_login(ann.user)
    page = client.get(reverse("agents:home"))
    assert "Your schedule" in page.content.decode()
    assert "Adherence this week" in page.content.decode()


def test_a_slot_booked_past_its_lowered_need_shows_over_booked(client, carol, live, ann, ben):
    slot = Slot.objects.create(
        request=live, starts_at=timezone.now() + dt.timedelta(hours=3), calls_per_hour=4, needed=1
    )
    for agent in (ann, ben):
        Booking.objects.create(slot=slot, agent=agent, booked_at=timezone.now())
    client.force_login(carol)
    week = ist_week(slot.starts_at)
    page = client.get(reverse("schedules:coverage", args=[live.pk]), {"week": week})
    assert "2 / 1" in page.content.decode() and "heat-over" in page.content.decode()


def test_a_swap_is_offered_and_accepted_from_the_week_grids(client, live, ann, ben):
    engage(ann, live)
    engage(ben, live)
    slot = Slot.objects.create(
        request=live, starts_at=timezone.now() + dt.timedelta(days=3), calls_per_hour=4, needed=1
    )
    booking = Booking.objects.create(slot=slot, agent=ann, booked_at=timezone.now())
    week = ist_week(slot.starts_at)
    client.force_login(ann.user)
    page = client.get(reverse("schedule:week"), {"week": week}).content.decode()
    assert f'<option value="{ben.pk}">Ben Agent</option>' in page
    client.post(
        reverse("schedule:swap_offer", args=[booking.pk]), {"to_agent": ben.pk, "week": week}
    )
    client.force_login(ben.user)
    page = client.get(reverse("schedule:week"), {"week": week}).content.decode()
    assert "Ann Agent offers you this half-hour" in page
    client.post(reverse("schedule:swap_accept", args=[booking.pk]), {"week": week})
    assert Booking.objects.get(slot=slot, status="booked").agent == ben


def test_a_booked_half_hour_begun_shows_the_minutes_on_duty(client, live, ann):
    engage(ann, live)
    now = timezone.now()
    slot = Slot.objects.create(
        request=live, starts_at=now - dt.timedelta(hours=2), calls_per_hour=4, needed=1
    )
    Booking.objects.create(slot=slot, agent=ann, booked_at=now - dt.timedelta(days=1))
    ann.duty_spells.create(started_at=slot.starts_at + dt.timedelta(minutes=10), ended_at=now)
    client.force_login(ann.user)
    page = client.get(reverse("schedule:week"), {"week": ist_week(slot.starts_at)})
    assert "Booked: 20 min on duty" in page.content.decode()


def test_the_schedules_home_lists_the_firms_own_requests_only(client, carol, live, globex):
    theirs = request_for(globex, title="Globex support")
    client.force_login(carol)
    page = client.get(reverse("schedules:home")).content.decode()
    assert live.title in page and theirs.title not in page
    assert reverse("schedules:coverage", args=[live.pk]) in page
