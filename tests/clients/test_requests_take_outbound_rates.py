"""A staffing request may take outbound calls (campaigns) at a rate and unit of its own; its
engagements copy them like the inbound rate (the agent's share less the commission). Agents
see their own outbound rate, firms the one they pay, never the agent's."""

from decimal import Decimal

import pytest
from django.urls import reverse

from clients.marketplace import agents_assign, application_create, application_decide
from clients.models import Engagement, StaffingRequest
from tests.clients.test_api import _post
from tests.clients.test_marketplace_pages import _request_form
from tests.factories import StaffingRequestFactory, verified_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, acme, carol):
    from clients.services import api_key_create

    _key, raw = api_key_create(firm=acme, user=carol, name="Acme CRM")
    client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {raw}"
    return client


def test_the_request_form_takes_an_outbound_rate_and_unit(client, carol):
    client.force_login(carol)
    form = client.get(reverse("clients:request_new")).content.decode()
    assert "Outbound calls (campaigns)" in form and "per connected call" in form
    data = _request_form(outbound_rate_unit="minute", outbound_rate="3.50")
    response = client.post(reverse("clients:request_new"), data, follow=True)
    created = StaffingRequest.objects.get()
    assert (created.outbound_rate_unit, created.outbound_rate) == ("minute", Decimal("3.50"))
    assert "outbound calls (campaigns) ₹3.50 per started minute" in " ".join(
        response.content.decode().split()
    )


def test_a_request_without_an_outbound_rate_takes_no_outbound_work(client, carol):
    client.force_login(carol)
    client.post(reverse("clients:request_new"), _request_form())
    created = StaffingRequest.objects.get()
    assert (created.outbound_rate_unit, created.outbound_rate) == ("connect", None)
    page = client.get(reverse("clients:request", args=[created.pk])).content.decode()
    assert "no outbound calls" in page


@pytest.mark.parametrize("value", ["0", "-1", "100000.01", "99999999.99"])
def test_an_outbound_rate_out_of_bounds_is_refused_on_the_page_and_by_the_api(
    client, carol, api, value
):
    client.force_login(carol)
    response = client.post(reverse("clients:request_new"), _request_form(outbound_rate=value))
    assert "outbound_rate" in response.context["form"].errors
    response = _post(api, outbound_rate=value)
    assert response.status_code == 400
    assert "outbound_rate" in response.json()["extra"]["fields"]
    assert not StaffingRequest.objects.exists()


def test_the_api_takes_and_shows_the_outbound_rate(api):
    body = _post(api, outbound_rate_unit="attempt", outbound_rate="2.00").json()
    assert (body["outbound_rate_unit"], body["outbound_rate"]) == ("attempt", "2.00")
    assert _post(api).json()["outbound_rate"] is None


def test_approving_and_assigning_copy_the_outbound_rates_with_the_agents_share(
    acme, carol, globex, root
):
    partial = StaffingRequestFactory(
        firm=acme, outbound_rate_unit="connect", outbound_rate=Decimal("12.35")
    )
    ravi = verified_agent("ravi@example.com")
    application = application_create(agent=ravi, request=partial)
    application_decide(
        firm=acme, application_id=application.pk, approve=True, reason="", user=carol
    )
    complete = StaffingRequestFactory(
        firm=globex, outbound_rate_unit="minute", outbound_rate=Decimal("5.00")
    )
    sita = verified_agent("sita@example.com")
    agents_assign(request=complete, agent_ids=[sita.pk], user=root)
    cards = {
        e.agent: (e.outbound_rate_unit, e.outbound_client_rate, e.outbound_agent_rate)
        for e in Engagement.objects.all()
    }
    # 20 % commission, rounded half up to the paisa: 12.35 x 0.8 = 9.88.
    assert cards == {
        ravi: ("connect", Decimal("12.35"), Decimal("9.88")),
        sita: ("minute", Decimal("5.00"), Decimal("4.00")),
    }


def test_an_engagement_of_a_request_without_outbound_work_has_no_outbound_rates(acme, carol):
    request = StaffingRequestFactory(firm=acme)
    application = application_create(agent=verified_agent("ravi@example.com"), request=request)
    application_decide(
        firm=acme, application_id=application.pk, approve=True, reason="", user=carol
    )
    e = Engagement.objects.get()
    assert (e.outbound_client_rate, e.outbound_agent_rate) == (None, None)


@pytest.fixture
def outbound_engagement(acme, carol):
    request = StaffingRequestFactory(
        firm=acme, outbound_rate_unit="attempt", outbound_rate=Decimal("12.35")
    )
    ravi = verified_agent("ravi@example.com")
    application = application_create(agent=ravi, request=request)
    application_decide(
        firm=acme, application_id=application.pk, approve=True, reason="", user=carol
    )
    return Engagement.objects.get()


def test_the_firm_sees_the_outbound_rate_it_pays_and_never_the_agents(
    client, api, carol, outbound_engagement
):
    results = api.get(reverse("api-engagements")).json()["results"]
    assert (results[0]["outbound_rate_unit"], results[0]["outbound_client_rate"]) == (
        "attempt",
        "12.35",
    )
    assert not {"agent_rate", "outbound_agent_rate", "agent_minimum_per_call"} & set(results[0])
    client.force_login(carol)
    page = client.get(reverse("clients:engagements")).content.decode()
    assert "outbound ₹12.35 per attempt" in " ".join(page.split())
    assert "9.88" not in page


def test_the_agent_sees_their_own_outbound_rate_only(client, outbound_engagement):
    client.force_login(outbound_engagement.agent.user)
    page = client.get(reverse("opportunities:engagements")).content.decode()
    assert "outbound ₹9.88 per attempt" in " ".join(page.split())
    assert "12.35" not in page
    home = client.get(reverse("agents:home")).content.decode()
    assert "outbound ₹9.88 per attempt" in " ".join(home.split())


def test_an_opportunity_shows_the_agents_outbound_share(client, acme):
    StaffingRequestFactory(firm=acme, outbound_rate_unit="minute", outbound_rate=Decimal("5.00"))
    client.force_login(verified_agent("ravi@example.com").user)
    page = " ".join(client.get(reverse("opportunities:list")).content.decode().split())
    assert "outbound calls (campaigns) ₹4.00 per started minute" in page
    assert "₹5.00" not in page
