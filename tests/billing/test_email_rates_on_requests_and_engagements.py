"""A staffing request may take email work at rates of its own: a handled conversation and a
campaign email. Its engagements copy the conversation rate like the others (the agent's
share less the commission); agents see their own rate, firms the one they pay."""

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


def test_the_request_form_takes_both_email_rates_and_the_page_shows_them(client, carol):
    client.force_login(carol)
    form = client.get(reverse("clients:request_new")).content.decode()
    assert "Rate per handled email conversation" in form and "Rate per campaign email" in form
    data = _request_form(email_rate="20.00", campaign_email_rate="1.25")
    response = client.post(reverse("clients:request_new"), data, follow=True)
    created = StaffingRequest.objects.get()
    assert (created.email_rate, created.campaign_email_rate) == (Decimal("20.00"), Decimal("1.25"))
    page = " ".join(response.content.decode().split())
    assert "email ₹20.00 per handled conversation" in page and "₹1.25 per campaign email" in page


def test_a_request_without_email_rates_takes_no_email_work(client, carol, api):
    client.force_login(carol)
    client.post(reverse("clients:request_new"), _request_form())
    created = StaffingRequest.objects.get()
    assert (created.email_rate, created.campaign_email_rate) == (None, None)
    page = " ".join(
        client.get(reverse("clients:request", args=[created.pk])).content.decode().split()
    )
    assert "no email" in page
    body = _post(api).json()
    assert (body["email_rate"], body["campaign_email_rate"]) == (None, None)


@pytest.mark.parametrize("field", ["email_rate", "campaign_email_rate"])
@pytest.mark.parametrize("value", ["0", "-1", "100000.01"])
def test_an_email_rate_out_of_bounds_is_refused_on_the_page_and_by_the_api(
    client, carol, api, field, value
):
    client.force_login(carol)
    response = client.post(reverse("clients:request_new"), _request_form(**{field: value}))
    assert field in response.context["form"].errors
    response = _post(api, **{field: value})
    assert response.status_code == 400
    assert field in response.json()["extra"]["fields"]
    assert not StaffingRequest.objects.exists()


def test_the_api_takes_and_shows_the_email_rates(api):
    body = _post(api, email_rate="18.00", campaign_email_rate="0.75").json()
    assert (body["email_rate"], body["campaign_email_rate"]) == ("18.00", "0.75")


def test_approving_and_assigning_copy_the_email_rate_with_the_agents_share(
    acme, carol, globex, root
):
    partial = StaffingRequestFactory(
        firm=acme, email_rate=Decimal("12.35"), campaign_email_rate=Decimal("1.00")
    )
    ravi = verified_agent("ravi@example.com")
    application = application_create(agent=ravi, request=partial)
    application_decide(
        firm=acme, application_id=application.pk, approve=True, reason="", user=carol
    )
    sita = verified_agent("sita@example.com")
    agents_assign(request=StaffingRequestFactory(firm=globex), agent_ids=[sita.pk], user=root)
    cards = {e.agent: (e.email_client_rate, e.email_agent_rate) for e in Engagement.objects.all()}
    # 20 % commission, rounded half up to the paisa: 12.35 x 0.8 = 9.88.
    assert cards == {ravi: (Decimal("12.35"), Decimal("9.88")), sita: (None, None)}


@pytest.fixture
def email_engagement(acme, carol):
    request = StaffingRequestFactory(firm=acme, email_rate=Decimal("12.35"))
    application = application_create(agent=verified_agent("ravi@example.com"), request=request)
    application_decide(
        firm=acme, application_id=application.pk, approve=True, reason="", user=carol
    )
    return Engagement.objects.get()


def test_the_firm_sees_the_email_rate_it_pays_and_never_the_agents(
    client, api, carol, email_engagement
):
    results = api.get(reverse("api-engagements")).json()["results"]
    assert results[0]["email_client_rate"] == "12.35"
    assert "email_agent_rate" not in results[0]
    client.force_login(carol)
    page = client.get(reverse("clients:engagements")).content.decode()
    assert "email ₹12.35 per handled conversation" in " ".join(page.split())
    assert "9.88" not in page


def test_the_agent_sees_their_own_email_rate_only(client, acme, email_engagement):
    client.force_login(email_engagement.agent.user)
    for name in ("opportunities:engagements", "agents:home"):
        page = client.get(reverse(name)).content.decode()
        assert "email ₹9.88 per handled conversation" in " ".join(page.split())
        assert "12.35" not in page


def test_an_opportunity_shows_the_agents_email_share(client, acme):
    StaffingRequestFactory(firm=acme, email_rate=Decimal("5.00"))
    client.force_login(verified_agent("ravi@example.com").user)
    page = " ".join(client.get(reverse("opportunities:list")).content.decode().split())
    assert "email ₹4.00 per handled conversation" in page
    assert "₹5.00" not in page
