"""The demo's franchises (issue 19): two teams with a lead each, the agents split between
them, and a line routed franchise-first."""

import pytest

from accounts.models import User
from clients.models import PhoneLine
from teams.models import Franchise, FranchiseMember
from tests.conftest import has_totp

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def seeded(demo_once: str) -> str:
    return demo_once


def test_two_franchises_each_with_a_lead_signed_in_with_totp(seeded):
    teams = {f.name: f for f in Franchise.objects.select_related("lead")}
    assert set(teams) == {"Kochi Coast", "Chennai Central"}
    assert (teams["Kochi Coast"].city, teams["Chennai Central"].city) == ("Kochi", "Chennai")
    for team, email in [
        (teams["Kochi Coast"], "lead.kochi@homeshore.example"),
        (teams["Chennai Central"], "lead.chennai@homeshore.example"),
    ]:
        assert team.lead.email == email and team.lead.role == User.Role.TEAM_LEAD
        assert has_totp(team.lead)
        assert email in seeded
        assert team.members.exists()


def test_the_agents_are_split_and_one_line_routes_franchise_first():
    assert FranchiseMember.objects.values("franchise").distinct().count() == 2
    assert PhoneLine.objects.filter(route_franchise_first=True).count() == 1
