"""The demo's schedules (teams.demo): one request with demand by half-hour, this week's and
next week's slots, this week booked by its engaged agents (never past what a slot needs),
duty spells under the half-hours already over, and pages that show them."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from clients.models import Engagement
from teams.models import Booking, RequestDemand, Slot

pytestmark = [pytest.mark.django_db]


@pytest.fixture(scope="module", autouse=True)
def seeded(demo_once: str) -> str:
    return demo_once  # tests/demo/seeded/conftest.py: the package's one seed


def test_one_request_has_demand_slots_and_bookings_by_its_engaged_agents():
    booking = Booking.objects.select_related("slot__request").first()
    request = booking.slot.request
    assert RequestDemand.objects.filter(request=request).exists()
    engaged = set(
        Engagement.objects.filter(request=request, status="active").values_list("agent", flat=True)
    )
    assert set(Booking.objects.values_list("agent", flat=True)) <= engaged
    for slot in Slot.objects.filter(request=request):
        assert slot.bookings.filter(status="booked").count() <= slot.needed


def test_the_heat_map_and_an_agents_week_show_the_bookings():
    booking = Booking.objects.select_related("slot__request__firm", "agent__user").first()
    request = booking.slot.request
    firm_user = User.objects.filter(firm_membership__firm=request.firm).first()
    client = Client()
    client.force_login(firm_user)
    page = client.get(reverse("schedules:coverage", args=[request.pk]))
    assert page.status_code == 200 and "heat-" in page.content.decode()
    client.force_login(booking.agent.user)
    page = client.get(reverse("schedule:week"))
    assert page.status_code == 200 and request.title in page.content.decode()
