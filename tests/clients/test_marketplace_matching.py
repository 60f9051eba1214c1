"""Who matches what: supply per language, an agent's opportunities, ranked candidates."""

from decimal import Decimal

import pytest

from agents.models import AgentSkill
from clients.marketplace import application_create, application_decide
from clients.models import RequestRegion
from clients.selectors import (
    agent_matches_request,
    matching_candidates,
    opportunities_for,
    request_supply,
)
from tests.factories import AgentProfileFactory, StaffingRequestFactory, verified_agent

pytestmark = pytest.mark.django_db

UDUPI = {"city": "Udupi", "latitude": 13.33467, "longitude": 74.74617}  # ~48 km from Mangaluru
DELHI = {"city": "Delhi", "latitude": 28.65195, "longitude": 77.23149}


@pytest.fixture
def ravi(db):
    return verified_agent("ravi@example.com")


def test_supply_is_counted_per_language_within_the_radius(acme):
    request = StaffingRequestFactory(firm=acme, languages=["en", "kn"], headcount=5)
    verified_agent("en@example.com", duty_status="available")
    verified_agent("kn@example.com", languages=[("kn", 5)], **UDUPI)
    verified_agent("both@example.com", languages=[("en", 3), ("kn", 4)])
    verified_agent("delhi@example.com", **DELHI)
    AgentProfileFactory(user__email="unvetted@example.com")

    supply = request_supply(request=request)
    assert sorted((s.language, s.agents, s.on_duty) for s in supply["by_language"]) == [
        ("en", 2, 1),
        ("kn", 2, 0),
    ]
    assert (supply["total"], supply["gap"], supply["seats_left"]) == (3, 2, 5)

    request.region_radius_km = 30  # Udupi falls outside
    request.save()
    supply = request_supply(request=request)
    assert sorted((s.language, s.agents) for s in supply["by_language"]) == [("en", 2), ("kn", 1)]


def test_an_agent_sees_a_matching_open_request_with_their_share_of_the_rate(acme, ravi):
    request = StaffingRequestFactory(firm=acme, rate=Decimal("40.00"))
    [found] = opportunities_for(agent=ravi)
    assert (found["request"], found["application"]) == (request, None)
    assert found["agent_rate"] == Decimal("32.00")
    assert found["distance_km"] == pytest.approx(0, abs=0.01)


def test_closed_or_other_language_or_distant_requests_are_not_offered(acme, globex, ravi):
    StaffingRequestFactory(firm=acme, status="closed")
    StaffingRequestFactory(firm=acme, languages=["hi"])
    StaffingRequestFactory(firm=acme, domain="banking")
    far = StaffingRequestFactory(firm=globex, regions=False)
    RequestRegion.objects.create(
        request=far, geoname_id=1273294, name="Delhi", latitude=28.65195, longitude=77.23149
    )
    assert opportunities_for(agent=ravi) == []


def test_a_specialised_request_is_offered_to_generalists_and_its_specialists_only(acme, ravi):
    request = StaffingRequestFactory(firm=acme, sub_skill="claims")
    sales = verified_agent("sales@example.com")
    AgentSkill.objects.filter(agent=sales).update(sub_skill="sales")
    claims = verified_agent("claims@example.com")
    AgentSkill.objects.filter(agent=claims).update(sub_skill="claims")
    assert opportunities_for(agent=sales) == []
    assert [o["request"] for o in opportunities_for(agent=claims)] == [request]
    assert [o["request"] for o in opportunities_for(agent=ravi)] == [request]


def test_it_marks_requests_the_agent_has_applied_to(acme, ravi):
    request = StaffingRequestFactory(firm=acme)
    application = application_create(agent=ravi, request=request)
    assert opportunities_for(agent=ravi)[0]["application"] == application


def test_candidates_are_ranked_by_skill_level_and_the_engaged_are_left_out(acme, carol):
    request = StaffingRequestFactory(firm=acme)
    novice = verified_agent("novice@example.com", level=2)
    expert = verified_agent("expert@example.com", level=5)
    verified_agent("far@example.com", level=5, **DELHI)
    ranked = matching_candidates(request=request)
    assert [c["agent"] for c in ranked] == [expert, novice]
    assert ranked[0]["fit"] > ranked[1]["fit"]
    assert (ranked[0]["skill_level"], ranked[1]["skill_level"]) == (5, 2)

    application = application_create(agent=expert, request=request)
    application_decide(
        firm=acme, application_id=application.pk, approve=True, reason="", user=carol
    )
    assert [c["agent"] for c in matching_candidates(request=request)] == [novice]


def test_an_agent_just_inside_a_wide_radius_is_a_candidate(acme):
    # Ahmedabad to Silchar is 2,062 km: inside a 2,063 km radius, and agent_matches_request
    # (exact distance) agrees; the bounding-box pre-filter must never be the narrower test.
    request = StaffingRequestFactory(firm=acme, regions=False, region_radius_km=2063)
    RequestRegion.objects.create(
        request=request,
        geoname_id=1279233,
        name="Ahmedabad",
        latitude=23.02579,
        longitude=72.58727,
    )
    silchar = verified_agent(
        "silchar@example.com", city="Silchar", latitude=24.82733, longitude=92.79787
    )
    assert agent_matches_request(agent=silchar, request=request)
    assert [c["agent"] for c in matching_candidates(request=request)] == [silchar]
    assert request_supply(request=request)["total"] == 1
