import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

HOMES = {
    "alice": "agents:home",
    "carol": "clients:home",
    "victor": "vetting:home",
    "fiona": "finance:home",
    "root": "accounts:staff_home",
}


@pytest.mark.parametrize(("persona", "home"), [("alice", "agents:home"), ("carol", "clients:home")])
def test_signing_in_lands_each_role_on_its_own_home(client, request, persona, home):
    user = request.getfixturevalue(persona)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse(home)


@pytest.mark.parametrize(("persona", "home"), list(HOMES.items()))
def test_the_front_door_sends_each_role_home(client, request, persona, home):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse(home)
    assert client.get(response.url).status_code == 200


def _nav_hrefs(response) -> set[str]:
    return {item["url"] for item in response.context["nav_items"]}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        (
            "alice",
            {
                "/agent/",
                "/agent/calls/workspace/",
                "/agent/outbound/",
                "/agent/email/",  # consumers' email (issue 18)
                "/agent/work/",
                "/agent/work/engagements/",
                "/agent/earnings/",
                "/agent/calls/quality/",
                "/agent/profile/",
                "/agent/schedule/",  # half-hour bookings (issue 19)
            },
        ),
        (
            "carol",
            {
                "/client/",
                "/client/requests/",
                "/client/lines/",
                "/client/engagements/",
                "/client/calls/",
                "/client/outbound/campaigns/",
                "/client/callbacks/",
                "/client/outbound/lists/",
                "/client/quality/scorecards/",
                "/client/invoices/",
                "/client/webhooks/",
                "/client/settings/",
                "/client/email/",  # consumers' email (issue 18)
                "/client/email-campaigns/",  # email campaigns (issue 18)
                "/client/schedules/",  # demand and coverage (issue 19)
            },
        ),
        (
            "victor",
            {
                "/staff/vetting/",
                "/staff/routing/",
                "/staff/routing/agents/",
                "/staff/audit/",
                "/staff/email/",
            },
        ),
        (
            "fiona",
            {
                "/staff/finance/",
                "/staff/finance/payouts/",
                "/staff/finance/invoices/",
                "/staff/finance/agents/",
                "/staff/finance/plans/",
                "/staff/finance/disputes/",
                "/staff/audit/",
                "/staff/finance/tds/",
            },
        ),
        (
            "root",
            {
                "/staff/",
                "/admin/",
                "/staff/clients/",
                "/staff/clients/matching/",
                "/staff/routing/callbacks/",
                "/staff/outbound/",
                "/staff/email/",
                "/staff/vetting/",
                "/staff/routing/",
                "/staff/routing/agents/",
                "/staff/finance/",
                "/staff/finance/payouts/",
                "/staff/finance/invoices/",
                "/staff/finance/agents/",
                "/staff/finance/plans/",
                "/staff/finance/disputes/",
                "/staff/audit/",
                "/staff/finance/tds/",
                "/staff/franchises/",  # local teams (issue 19)
            },
        ),
    ],
)
def test_each_user_sees_only_the_navigation_of_their_roles(client, request, persona, expected):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(reverse(HOMES[persona]))
    assert _nav_hrefs(response) == expected
    for href in {"/agent/", "/client/", "/staff/vetting/", "/staff/finance/"} - expected:
        assert f'href="{href}"' not in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "forbidden"),
    [
        ("alice", ["clients:home", "vetting:home", "finance:home", "accounts:staff_home"]),
        ("carol", ["agents:home", "vetting:home", "finance:home"]),
        ("victor", ["agents:home", "clients:home", "finance:home", "accounts:staff_home"]),
        ("fiona", ["agents:home", "clients:home", "vetting:home"]),
    ],
)
def test_pages_of_other_roles_are_forbidden(client, request, persona, forbidden):
    client.force_login(request.getfixturevalue(persona))
    for name in forbidden:
        assert client.get(reverse(name)).status_code == 403, name


@pytest.mark.parametrize("name", list(HOMES.values()))
def test_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_visitors_see_the_landing_page_with_styles_served_locally(client):
    response = client.get(reverse("home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Become a home agent" in body
    assert "/static/vendor/pico/pico.min.css" in body
    assert "https://" not in body.split("<body")[0]  # no CDN in the head
