"""Nearest means nearest by great-circle distance: radius steps are circles, not boxes.

Runs on SQLite (box + exact haversine in Python) and on PostgreSQL (the KNN GiST index on
the agents' unit-sphere points): both must give the same, exact answer.
"""

import datetime as dt
import math
import random

import pytest

from common.geo import EARTH_RADIUS_KM, bounding_box, haversine_km
from routing.models import RoutingDecision
from routing.selectors import candidates_for
from routing.services import call_route, call_start
from tests.factories import PhoneLineFactory
from tests.routing.conftest import LANDLINE_MANGALURU, routable_agent

pytestmark = pytest.mark.django_db


def destination(lat: float, lon: float, km: float, bearing: float) -> tuple[float, float]:
    """The point `km` away from (lat, lon) along `bearing` (degrees), on the sphere."""
    d, b = km / EARTH_RADIUS_KM, math.radians(bearing)
    phi1, lam1 = math.radians(lat), math.radians(lon)
    phi2 = math.asin(math.sin(phi1) * math.cos(d) + math.cos(phi1) * math.sin(d) * math.cos(b))
    lam2 = lam1 + math.atan2(
        math.sin(b) * math.sin(d) * math.cos(phi1), math.cos(d) - math.sin(phi1) * math.sin(phi2)
    )
    return math.degrees(phi2), math.degrees(lam2)


@pytest.fixture
def stepped_line(acme):
    return PhoneLineFactory(firm=acme, radius_steps_km="50,300")


@pytest.fixture
def call(stepped_line, at):
    call = call_start(
        provider="test",
        provider_call_id="CA1",
        to=str(stepped_line.number),
        caller=LANDLINE_MANGALURU,
        at=at,
    )
    assert call.origin_latitude is not None
    return call


def agent_at(acme, name, call, km, bearing, **kwargs):
    lat, lon = destination(call.origin_latitude, call.origin_longitude, km, bearing)
    return routable_agent(acme, f"{name}@example.com", lat=lat, lon=lon, **kwargs)


def decide(call, at):
    placement = call_route(call_id=call.pk, at=at)
    return placement.agent, RoutingDecision.objects.get(call=call)


def test_an_agent_in_the_boxs_corner_loses_to_a_nearer_one_outside_the_box(acme, call, at):
    # 55 km to the north-east lies inside the 50 km step's bounding box, outside its circle;
    # 54.3 km due north lies outside both. The nearer one gets the call.
    corner = agent_at(acme, "corner", call, 55.0, 45)
    north = agent_at(acme, "north", call, 54.3, 0)
    min_lat, max_lat, min_lon, max_lon = bounding_box(
        call.origin_latitude, call.origin_longitude, 50
    )
    assert min_lat <= corner.latitude <= max_lat and min_lon <= corner.longitude <= max_lon
    agent, decision = decide(call, at)
    assert agent == north
    assert decision.radius_km == 300
    assert [row["agent"] for row in decision.candidates] == [north.pk, corner.pk]


@pytest.mark.parametrize(("km", "step"), [(49.9, 50), (50.1, 300), (299.9, 300), (300.1, None)])
def test_the_step_is_the_first_circle_that_holds_the_agent(acme, call, at, km, step):
    ravi = agent_at(acme, "ravi", call, km, 135)
    agent, decision = decide(call, at)
    assert agent == ravi
    assert decision.radius_km == step


def test_within_a_step_only_agents_inside_its_circle_are_ranked(acme, call, at):
    inside = agent_at(acme, "inside", call, 49.0, 200)
    agent_at(acme, "outside", call, 51.0, 20)  # in the box, outside the circle
    ranked = candidates_for(call=call, at=at, radius_km=50)
    assert [a.pk for a in ranked] == [inside.pk]
    assert ranked[0].km == pytest.approx(49.0, abs=0.01)


def test_ties_in_distance_go_to_the_longest_idle_then_the_lowest_id(acme, call, at):
    lat, lon = destination(call.origin_latitude, call.origin_longitude, 20, 90)
    recent = routable_agent(
        acme, "recent@example.com", lat=lat, lon=lon, idle_since=at - dt.timedelta(minutes=1)
    )
    idle = at - dt.timedelta(hours=2)
    first = routable_agent(acme, "first@example.com", lat=lat, lon=lon, idle_since=idle)
    second = routable_agent(acme, "second@example.com", lat=lat, lon=lon, idle_since=idle)
    ranked = candidates_for(call=call, at=at)
    assert [a.pk for a in ranked] == [first.pk, second.pk, recent.pk]


def test_the_ranking_follows_the_great_circle_order(acme, call, at):
    rng = random.Random(14)
    agents = [
        agent_at(acme, f"a{i}", call, rng.uniform(1, 400), rng.uniform(0, 360)) for i in range(12)
    ]
    ranked = candidates_for(call=call, at=at, limit=12)
    lat0, lon0 = call.origin_latitude, call.origin_longitude
    expected = sorted(agents, key=lambda a: haversine_km(lat0, lon0, a.latitude, a.longitude))
    assert [a.pk for a in ranked] == [a.pk for a in expected]
    for a in ranked:
        assert a.km == pytest.approx(haversine_km(lat0, lon0, a.latitude, a.longitude), rel=1e-9)


def test_a_tie_across_the_cut_keeps_the_longest_idle(acme, call, at):
    # Four agents on one spot, the longest idle made last (highest id): asked for two, the
    # ranking must settle the tie across its cut by idle time, not by the index's order.
    lat, lon = destination(call.origin_latitude, call.origin_longitude, 5, 300)
    made = [
        routable_agent(
            acme, f"tie{i}@example.com", lat=lat, lon=lon, idle_since=at - dt.timedelta(minutes=i)
        )
        for i in range(1, 5)
    ]
    ranked = candidates_for(call=call, at=at, limit=2)
    assert [a.pk for a in ranked] == [made[3].pk, made[2].pk]
