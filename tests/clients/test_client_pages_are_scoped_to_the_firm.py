"""Every client page shows the user's own firm only; another firm's ids are 404s."""

import pytest
from django.urls import reverse

from clients import marketplace
from clients.models import Engagement
from tests.factories import PhoneLineFactory, StaffingRequestFactory, verified_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def globex_things(globex, dave):
    """A line, a request, an application and an engagement that belong to globex."""
    line = PhoneLineFactory(firm=globex, name="Globex secret line")
    request = StaffingRequestFactory(firm=globex, title="Globex secret request", headcount=3)
    meera = verified_agent("meera@example.com")
    engagement = marketplace.agents_assign(request=request, agent_ids=[meera.pk], user=dave)[0]
    ravi = verified_agent("ravi@example.com")
    application = marketplace.application_create(agent=ravi, request=request)
    return {"line": line, "request": request, "engagement": engagement, "app": application}


@pytest.mark.parametrize(
    "name",
    [
        "clients:home",
        "clients:requests",
        "clients:lines",
        "clients:engagements",
        "clients:settings",
    ],
)
def test_list_pages_show_nothing_of_another_firm(client, carol, globex_things, name):
    client.force_login(carol)
    response = client.get(reverse(name))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Globex" not in body
    assert "secret" not in body


def test_another_firms_request_and_line_pages_are_404(client, carol, globex_things):
    client.force_login(carol)
    assert (
        client.get(reverse("clients:request", args=[globex_things["request"].pk])).status_code
        == 404
    )
    assert client.get(reverse("clients:line", args=[globex_things["line"].pk])).status_code == 404


def test_another_firms_line_cannot_be_edited(client, carol, globex_things):
    client.force_login(carol)
    line = globex_things["line"]
    response = client.post(reverse("clients:line", args=[line.pk]), {"name": "Hijacked"})
    assert response.status_code == 404
    line.refresh_from_db()
    assert line.name == "Globex secret line"


def test_another_firms_request_cannot_be_closed(client, carol, globex_things):
    client.force_login(carol)
    request = globex_things["request"]
    assert client.post(reverse("clients:request_close", args=[request.pk])).status_code == 404
    request.refresh_from_db()
    assert request.status == "open"


def test_another_firms_applicant_cannot_be_decided(client, carol, globex_things):
    client.force_login(carol)
    app = globex_things["app"]
    url = reverse("clients:application_decide", args=[app.pk])
    assert client.post(url, {"decision": "decline", "reason": "x"}).status_code == 404
    app.refresh_from_db()
    assert app.status == "applied"


def test_another_firms_engagement_cannot_be_ended(client, carol, globex_things):
    client.force_login(carol)
    engagement = globex_things["engagement"]
    url = reverse("clients:engagement_end", args=[engagement.pk])
    assert client.post(url, {"reason": "nope"}).status_code == 404
    assert Engagement.objects.get(pk=engagement.pk).status == "active"


def test_a_client_user_without_a_firm_is_told_to_ask_for_an_invitation(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(role="client"))
    response = client.get(reverse("clients:home"))
    assert response.status_code == 403
    assert "not part of a firm" in response.content.decode()


@pytest.mark.parametrize("persona", ["alice", "victor"])
def test_other_roles_cannot_open_client_pages(client, request, persona, globex_things):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("clients:requests")).status_code == 403
    url = reverse("clients:request", args=[globex_things["request"].pk])
    assert client.get(url).status_code == 403


def test_the_pool_never_shows_an_agents_phone_bank_or_documents(client, dave, globex_things):
    client.force_login(dave)
    ravi = globex_things["app"].agent
    ravi.phone, ravi.bank_account_last4 = "+919845012345", "4321"
    ravi.save()
    response = client.get(reverse("clients:request", args=[globex_things["request"].pk]))
    body = response.content.decode()
    assert ravi.full_name in body
    assert "98450" not in body and "4321" not in body and "document" not in body.lower()


def test_the_request_list_query_count_does_not_grow_with_requests(
    client, carol, acme, django_assert_max_num_queries
):
    for _ in range(5):
        StaffingRequestFactory(firm=acme)
    client.force_login(carol)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("clients:requests")).status_code == 200
