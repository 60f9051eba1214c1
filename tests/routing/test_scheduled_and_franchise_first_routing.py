"""Issue 19's tiers: agents scheduled for the half-hour first, and franchise-first lines."""

import datetime as dt

import pytest
from django.urls import reverse

from agents.models import AgentProfile
from clients.models import StaffingRequest
from routing.models import Call, RoutingDecision
from routing.services import call_route, call_start
from teams.models import Booking, Franchise, FranchiseMember, Slot
from teams.selectors import slot_start
from tests.factories import PhoneLineFactory
from tests.routing.conftest import LANDLINE_MANGALURU, MADURAI, routable_agent

pytestmark = pytest.mark.django_db
UDUPI = (13.3409, 74.7421)  # ~48 km from the Mangaluru caller
KOCHI = (9.9312, 76.2673)  # ~350 km
CHENNAI = (13.0827, 80.2707)  # ~590 km
_franchise_ids = iter(range(1, 100))


def franchise(name: str, where: tuple[float, float], *agents: AgentProfile) -> Franchise:
    team = Franchise.objects.create(
        name=name,
        geoname_id=next(_franchise_ids),
        city=name,
        latitude=where[0],
        longitude=where[1],
    )
    for agent in agents:
        FranchiseMember.objects.create(franchise=team, agent=agent)
    return team


def book(agent: AgentProfile, line, at: dt.datetime) -> None:
    """`agent` booked for the half-hour holding `at` on the request covering `line`."""
    request = StaffingRequest.objects.filter(firm=line.firm).first()
    request.lines.add(line)
    slot, _ = Slot.objects.get_or_create(
        request=request, starts_at=slot_start(at), defaults={"calls_per_hour": 10, "needed": 3}
    )
    Booking.objects.create(slot=slot, agent=agent, booked_at=at - dt.timedelta(days=1))


def route(line, at, sid="CA1") -> tuple[AgentProfile | None, RoutingDecision]:
    call = call_start(
        provider="test", provider_call_id=sid, to=str(line.number), caller=LANDLINE_MANGALURU, at=at
    )
    placement = call_route(call_id=call.pk, at=at)
    return placement.agent, RoutingDecision.objects.filter(call=call).last()


@pytest.fixture
def franchise_line(line):
    line.route_franchise_first = True
    line.save(update_fields=["route_franchise_first"])
    return line


def test_a_scheduled_agent_gets_the_call_before_a_nearer_unscheduled_one(acme, line, at):
    routable_agent(acme, "near@example.com")
    far = routable_agent(acme, "far@example.com", lat=MADURAI[0], lon=MADURAI[1])
    book(far, line, at)
    agent, decision = route(line, at)
    assert agent == far
    assert decision.scheduled is True
    assert decision.schedule_words == "scheduled for this half-hour"
    assert decision.franchise is None and decision.franchise_reason == ""


def test_with_nobody_scheduled_free_the_nearest_available_agent_gets_it(acme, line, at):
    near = routable_agent(acme, "near@example.com")
    busy = routable_agent(acme, "busy@example.com", lat=MADURAI[0], lon=MADURAI[1])
    AgentProfile.objects.filter(pk=busy.pk).update(duty_status=AgentProfile.Duty.WRAP_UP)
    book(busy, line, at)
    agent, decision = route(line, at)
    assert agent == near
    assert decision.schedule_words == "not scheduled"


def test_a_booking_for_another_half_hour_or_released_does_not_count(acme, line, at):
    near = routable_agent(acme, "near@example.com")
    far = routable_agent(acme, "far@example.com", lat=MADURAI[0], lon=MADURAI[1])
    book(far, line, at - dt.timedelta(minutes=30))
    Booking.objects.update(status=Booking.Status.RELEASED)
    assert route(line, at)[0] == near


def test_the_nearest_franchise_with_a_free_agent_wins_over_a_nearer_agent_outside(
    acme, franchise_line, at
):
    routable_agent(acme, "outside@example.com")  # at the caller's own city
    kochi_agent = routable_agent(acme, "kochi@example.com", lat=KOCHI[0], lon=KOCHI[1])
    chennai_agent = routable_agent(acme, "chennai@example.com", lat=CHENNAI[0], lon=CHENNAI[1])
    team = franchise("Kochi Coast", KOCHI, kochi_agent)
    franchise("Chennai Central", CHENNAI, chennai_agent)
    agent, decision = route(franchise_line, at)
    assert agent == kochi_agent
    assert decision.franchise == team
    assert decision.franchise_reason.startswith("Kochi Coast, 3")  # ~350 km
    assert "nearest franchise with an eligible agent free" in decision.franchise_reason


def test_within_the_franchise_its_agent_nearest_the_caller_gets_it(acme, franchise_line, at):
    far = routable_agent(acme, "far@example.com", lat=KOCHI[0], lon=KOCHI[1])
    near = routable_agent(acme, "near@example.com", lat=UDUPI[0], lon=UDUPI[1])
    franchise("Kochi Coast", KOCHI, far, near)
    assert route(franchise_line, at)[0] == near


def test_a_franchise_without_an_eligible_free_agent_is_passed_over(acme, franchise_line, at):
    offline = routable_agent(acme, "udupi@example.com", lat=UDUPI[0], lon=UDUPI[1])
    AgentProfile.objects.filter(pk=offline.pk).update(duty_status=AgentProfile.Duty.OFFLINE)
    kannada = routable_agent(acme, "kn@example.com", lat=UDUPI[0], lon=UDUPI[1], languages=("kn",))
    kochi_agent = routable_agent(acme, "kochi@example.com", lat=KOCHI[0], lon=KOCHI[1])
    franchise("Udupi Bay", UDUPI, offline, kannada)
    kochi = franchise("Kochi Coast", KOCHI, kochi_agent)
    agent, decision = route(franchise_line, at)
    assert agent == kochi_agent
    assert decision.franchise == kochi
    assert "(Udupi Bay: no eligible agent free)" in decision.franchise_reason


def test_with_no_franchise_able_the_nearest_agent_anywhere_gets_it(acme, franchise_line, at):
    near = routable_agent(acme, "near@example.com")
    busy = routable_agent(acme, "kochi@example.com", lat=KOCHI[0], lon=KOCHI[1])
    AgentProfile.objects.filter(pk=busy.pk).update(duty_status=AgentProfile.Duty.ON_CALL)
    franchise("Kochi Coast", KOCHI, busy)
    agent, decision = route(franchise_line, at)
    assert agent == near
    assert decision.franchise is None
    assert decision.franchise_reason == (
        "No franchise had an eligible agent free: the nearest agent anywhere"
        " (Kochi Coast: no eligible agent free)"
    )


def test_a_line_without_franchise_first_ignores_franchises(acme, line, at):
    near = routable_agent(acme, "near@example.com")
    kochi_agent = routable_agent(acme, "kochi@example.com", lat=KOCHI[0], lon=KOCHI[1])
    franchise("Kochi Coast", KOCHI, kochi_agent)
    agent, decision = route(line, at)
    assert agent == near
    assert (decision.franchise, decision.franchise_reason) == (None, "")


def test_the_schedule_comes_before_the_franchise(acme, franchise_line, at):
    scheduled = routable_agent(acme, "scheduled@example.com", lat=MADURAI[0], lon=MADURAI[1])
    kochi_agent = routable_agent(acme, "kochi@example.com", lat=KOCHI[0], lon=KOCHI[1])
    franchise("Kochi Coast", KOCHI, kochi_agent)
    book(scheduled, franchise_line, at)
    agent, decision = route(franchise_line, at)
    assert agent == scheduled
    assert decision.scheduled is True and decision.franchise is None


def test_a_call_nobody_can_take_waits_and_says_so(acme, franchise_line, at):
    busy = routable_agent(acme, "kochi@example.com", lat=KOCHI[0], lon=KOCHI[1])
    AgentProfile.objects.filter(pk=busy.pk).update(duty_status=AgentProfile.Duty.OFFLINE)
    franchise("Kochi Coast", KOCHI, busy)
    agent, decision = route(franchise_line, at)
    assert agent is None
    assert Call.objects.get().status == Call.Status.QUEUED
    assert decision.scheduled is None
    assert decision.franchise_reason.startswith("No franchise had an eligible agent free, nor")


def test_the_firms_call_page_and_the_staff_console_show_the_tiers(client, carol, victor, acme, at):
    line = PhoneLineFactory(firm=acme, route_franchise_first=True)
    kochi_agent = routable_agent(acme, "kochi@example.com", lat=KOCHI[0], lon=KOCHI[1])
    franchise("Kochi Coast", KOCHI, kochi_agent)
    book(kochi_agent, line, at)
    _agent, decision = route(line, at)
    client.force_login(carol)
    page = client.get(reverse("calls:detail", args=[decision.call_id])).content.decode()
    assert "scheduled for this half-hour" in page
    assert "Franchise-first:" in page and "Kochi Coast" in page
    client.force_login(victor)
    console = client.get(reverse("routing_console:home")).content.decode()
    assert "scheduled for this half-hour" in console and "Kochi Coast" in console
