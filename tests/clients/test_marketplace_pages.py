"""The marketplace through its pages: post, apply, approve, assign, end — and bad input."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clients import marketplace
from clients.models import ApiKey, Application, Engagement, PhoneLine, StaffingRequest
from tests.factories import PhoneLineFactory, StaffingRequestFactory, verified_agent

pytestmark = pytest.mark.django_db


def _request_form(**overrides):
    today = timezone.localdate()
    data = {
        "title": "Claims desk",
        "domain": "insurance",
        "sub_skill": "",
        "languages": ["en"],
        "regions": "Mangaluru",
        "region_radius_km": 250,
        "days": ["0", "1", "2"],
        "starts_at": "09:00",
        "ends_at": "18:00",
        "start_date": today.isoformat(),
        "end_date": (today + dt.timedelta(days=30)).isoformat(),
        "calls_per_hour": "200",
        "aht_seconds": 180,
        "target_level": 80,
        "target_seconds": 20,
        "shrinkage": 30,
        "headcount": "",
        "rate_unit": "call",
        "rate": "40.00",
        "minimum_per_call": "0",
    }
    data.update(overrides)
    return data


def test_a_firm_posts_a_request_and_sees_the_erlang_c_headcount(client, carol):
    client.force_login(carol)
    response = client.post(reverse("clients:request_new"), _request_form(), follow=True)
    request = StaffingRequest.objects.get()
    assert (request.agents_needed, request.headcount) == (20, 20)
    body = response.content.decode()
    assert "14</strong>on the phones" in body  # Erlang C before shrinkage
    assert 'data-chart="chart-gap"' in body and 'id="chart-service-level"' in body


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_date": "2020-01-01"}, "end date"),
        ({"rate": "-5"}, "rate must be more than zero"),
        ({"regions": "Atlantis"}, "We don&#x27;t know"),
        ({"ends_at": "08:00"}, "after the start time"),
    ],
)
def test_bad_request_input_gets_a_clear_message_and_saves_nothing(
    client, carol, overrides, message
):
    client.force_login(carol)
    response = client.post(reverse("clients:request_new"), _request_form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not StaffingRequest.objects.exists()


def test_a_line_with_a_number_already_in_use_is_refused(client, carol, globex):
    PhoneLineFactory(firm=globex, number="+918242220001")
    client.force_login(carol)
    data = {
        "number": "+91 824 222 0001",
        "name": "Claims",
        "domain": "insurance",
        "region": "Mangaluru",
        "time_zone": "Asia/Kolkata",
        "business_days": ["0"],
        "opens_at": "09:00",
        "closes_at": "18:00",
        "ring_timeout_seconds": 20,
        "wrap_up_seconds": 30,
        "max_wait_seconds": 180,
        "language_1": "kn",
        "language_2": "en",
        "digit_1": 1,
        "digit_2": 2,
    }
    response = client.post(reverse("clients:line_new"), data)
    assert "already in use" in response.content.decode()
    assert PhoneLine.objects.count() == 1
    data["number"] = "+91 824 222 0009"
    assert client.post(reverse("clients:line_new"), data).status_code == 302
    line = PhoneLine.objects.get(number="+918242220009")
    assert [(x.language, x.menu_digit) for x in line.languages.all()] == [("kn", 1), ("en", 2)]


def test_an_agent_applies_in_one_click_and_the_firm_approves(client, carol, acme):
    request = StaffingRequestFactory(firm=acme, headcount=1)
    meera = verified_agent("meera@example.com")
    client.force_login(meera.user)
    page = client.get(reverse("opportunities:list")).content.decode()
    assert request.title in page and "₹32.00" in page  # 40.00 less the 20% commission
    client.post(reverse("opportunities:apply", args=[request.pk]))
    application = Application.objects.get(agent=meera)

    client.force_login(carol)
    url = reverse("clients:application_decide", args=[application.pk])
    client.post(url, {"decision": "approve", "reason": ""})
    engagement = Engagement.objects.get(agent=meera)
    assert (engagement.client_rate, str(engagement.agent_rate)) == (request.rate, "32.00")

    client.force_login(meera.user)
    assert acme.name in client.get(reverse("agents:home")).content.decode()


def test_declining_without_a_reason_is_refused(client, carol, acme):
    request = StaffingRequestFactory(firm=acme)
    application = marketplace.application_create(
        agent=verified_agent("meera@example.com"), request=request
    )
    client.force_login(carol)
    url = reverse("clients:application_decide", args=[application.pk])
    response = client.post(url, {"decision": "decline", "reason": " "}, follow=True)
    assert "Please give the agent a reason" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "applied"


def test_an_agent_ends_only_their_own_engagement(client, acme, carol):
    request = StaffingRequestFactory(firm=acme, headcount=2)
    meera, ravi = verified_agent("meera@example.com"), verified_agent("ravi@example.com")
    for agent in (meera, ravi):
        app = marketplace.application_create(agent=agent, request=request)
        marketplace.application_decide(
            firm=acme, application_id=app.pk, approve=True, reason="", user=carol
        )
    ravis = Engagement.objects.get(agent=ravi)
    client.force_login(meera.user)
    url = reverse("opportunities:engagement_end", args=[ravis.pk])
    assert client.post(url, {"reason": "mine now"}).status_code == 404
    assert Engagement.objects.get(pk=ravis.pk).status == "active"
    mine = Engagement.objects.get(agent=meera)
    client.post(reverse("opportunities:engagement_end", args=[mine.pk]), {"reason": "Moving"})
    assert Engagement.objects.get(pk=mine.pk).end_reason == "Moving"


def test_an_api_key_is_shown_once_and_stored_hashed(client, carol):
    client.force_login(carol)
    response = client.post(reverse("clients:settings"), {"action": "create_key", "name": "CRM"})
    key = ApiKey.objects.get()
    raw = response.context["new_key"]
    assert raw.startswith(f"hsk_{key.prefix}_") and raw not in key.key_hash
    assert raw not in client.get(reverse("clients:settings")).content.decode()


def test_agency_staff_assign_agents_in_bulk_to_a_complete_bpo_request(client, root, globex):
    request = StaffingRequestFactory(firm=globex, headcount=2)
    agents = [verified_agent(f"a{i}@example.com", level=2 + i) for i in range(3)]
    client.force_login(root)
    page = client.get(reverse("staff_clients:matching_detail", args=[request.pk]))
    ranked = [c["agent"] for c in page.context["candidates"]]
    assert ranked == [agents[2], agents[1], agents[0]]  # highest skill level first
    url = reverse("staff_clients:matching_detail", args=[request.pk])
    response = client.post(url, {"agents": [a.pk for a in agents]})
    assert "room for 2 more" in response.content.decode()
    assert not Engagement.objects.exists()
    client.post(url, {"agents": [agents[2].pk, agents[1].pk]})
    assert Engagement.objects.filter(request=request).count() == 2


def test_vetting_admins_cannot_reach_the_matching_page(client, victor, globex):
    request = StaffingRequestFactory(firm=globex)
    client.force_login(victor)
    assert (
        client.get(reverse("staff_clients:matching_detail", args=[request.pk])).status_code == 403
    )


def test_an_agent_cannot_withdraw_another_agents_application(client, acme):
    request = StaffingRequestFactory(firm=acme)
    meera, ravi = verified_agent("meera@example.com"), verified_agent("ravi@example.com")
    ravis = marketplace.application_create(agent=ravi, request=request)
    client.force_login(meera.user)
    assert client.post(reverse("opportunities:withdraw", args=[ravis.pk])).status_code == 404
    ravis.refresh_from_db()
    assert ravis.status == "applied"
    page = client.get(reverse("opportunities:list")).content.decode()
    assert "ravi" not in page.lower()  # only the agent's own applications are listed
