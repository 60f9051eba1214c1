"""Team leads (issue 19) sign in with TOTP like staff, land on their team, and are not staff."""

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.navigation import navigation_for, role_home_url
from tests.factories import PASSWORD
from tests.teams.conftest import lead_user, team

pytestmark = pytest.mark.django_db

STAFF_PAGES = [
    "vetting:home",
    "finance:home",
    "accounts:staff_home",
    "accounts:audit",
    "staff_teams:franchises",
    "routing_console:home",
]


def test_a_lead_without_totp_is_sent_to_set_it_up_before_the_team_page(client):
    lead = lead_user("newlead@homeshore.example", totp=False)
    team("Kochi Coast", lead)
    client.force_login(lead)
    response = client.get(reverse("lead:team"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_a_lead_with_totp_sees_their_team_page(client, leo):
    team("Kochi Coast", leo)
    client.force_login(leo)
    response = client.get(reverse("lead:team"))
    assert response.status_code == 200
    assert "Kochi Coast" in response.content.decode()


def test_a_lead_signing_in_is_asked_for_the_code(client, leo):
    response = client.post(reverse("account_login"), {"login": leo.email, "password": PASSWORD})
    assert response.url == reverse("mfa_authenticate")


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_a_lead_cannot_open_staff_pages(client, leo, name):
    client.force_login(leo)
    assert client.get(reverse(name)).status_code == 403


def test_a_lead_holds_no_staff_role_but_needs_totp(leo):
    assert not leo.is_staff_role
    assert leo.needs_totp
    assert [role for role in User.Role if leo.has_role(role)] == [User.Role.TEAM_LEAD]


def test_an_administrator_does_not_hold_the_lead_role(adele, client):
    assert not adele.has_role(User.Role.TEAM_LEAD)
    client.force_login(adele)
    assert client.get(reverse("lead:team")).status_code == 403


def test_the_leads_home_is_their_team_and_the_menu_is_theirs(leo):
    assert role_home_url(leo) == reverse("lead:team")
    labels = [item["label"] for item in navigation_for(leo)]
    assert labels == ["My team", "Team figures"]
