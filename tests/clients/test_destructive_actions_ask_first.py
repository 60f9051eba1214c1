"""Ending, closing, withdrawing, revoking and removing ask first: the button is a link to a
page that says what will happen (a GET that changes nothing) with the POST button on it."""

import re

import pytest
from django.urls import reverse

from clients import marketplace
from clients.models import ApiKey, Application, Engagement, FirmMember, StaffingRequest
from clients.services import api_key_create
from tests.factories import FirmMemberFactory, StaffingRequestFactory, verified_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def meera(acme, carol):
    """Engaged on acme's request (headcount 2), with ravi's application still pending."""
    request = StaffingRequestFactory(firm=acme, headcount=2, title="Claims desk")
    meera = verified_agent("meera@example.com")
    app = marketplace.application_create(agent=meera, request=request)
    marketplace.application_decide(
        firm=acme, application_id=app.pk, approve=True, reason="", user=carol
    )
    marketplace.application_create(agent=verified_agent("ravi@example.com"), request=request)
    return meera


def _confirm_form(page: str) -> str:
    """The confirmation page's POST form (and no script doing it instead)."""
    assert "<script>" not in page and "confirm(" not in page
    return re.search(r'<form method="post" action="([^"]+)"', page).group(1)


def test_the_firm_ends_an_engagement_only_after_confirming_with_a_reason(client, carol, meera):
    engagement = Engagement.objects.get(agent=meera)
    url = reverse("clients:engagement_end", args=[engagement.pk])
    client.force_login(carol)
    assert url in client.get(reverse("clients:engagements")).content.decode()
    page = client.get(url).content.decode()
    assert "Calls stop going to this agent" in page and _confirm_form(page) == url
    engagement.refresh_from_db()
    assert engagement.status == "active"  # the GET changed nothing
    answer = client.post(url, {"reason": ""})
    assert answer.status_code == 200 and "This field is required" in answer.content.decode()
    client.post(url, {"reason": "Season over"})
    engagement.refresh_from_db()
    assert (engagement.status, engagement.end_reason) == ("ended", "Season over")


def test_an_agent_ends_their_engagement_after_confirming(client, meera):
    engagement = Engagement.objects.get(agent=meera)
    url = reverse("opportunities:engagement_end", args=[engagement.pk])
    client.force_login(meera.user)
    assert url in client.get(reverse("opportunities:engagements")).content.decode()
    assert "You stop receiving this firm" in client.get(url).content.decode()
    client.post(url, {"reason": "Moving"})
    assert Engagement.objects.get(pk=engagement.pk).status == "ended"


def test_closing_a_request_says_who_is_declined(client, carol, meera):
    request = StaffingRequest.objects.get()
    url = reverse("clients:request_close", args=[request.pk])
    client.force_login(carol)
    assert url in client.get(reverse("clients:request", args=[request.pk])).content.decode()
    page = client.get(url).content.decode()
    assert "1 pending applicant(s) are declined" in page and _confirm_form(page) == url
    assert StaffingRequest.objects.get().status == "open"
    client.post(url)
    assert StaffingRequest.objects.get().status == "closed"
    assert client.get(url).url == reverse("clients:request", args=[request.pk])  # nothing to ask


def test_withdrawing_an_application_asks_first(client, meera):
    ravi = Application.objects.get(status="applied").agent
    application = Application.objects.get(agent=ravi)
    url = reverse("opportunities:withdraw", args=[application.pk])
    client.force_login(ravi.user)
    assert url in client.get(reverse("opportunities:list")).content.decode()
    assert "you can apply again" in client.get(url).content.decode()
    assert Application.objects.get(pk=application.pk).status == "applied"
    client.post(url)
    assert Application.objects.get(pk=application.pk).status == "withdrawn"


def test_an_agent_cannot_open_the_confirmation_for_another_agents_application(client, meera):
    theirs = Application.objects.get(status="applied")
    client.force_login(meera.user)
    assert client.get(reverse("opportunities:withdraw", args=[theirs.pk])).status_code == 404


def test_revoking_a_key_asks_first_and_posts_to_the_settings_page(client, acme, carol):
    key, _raw = api_key_create(firm=acme, user=carol, name="CRM")
    url = reverse("clients:key_revoke", args=[key.pk])
    client.force_login(carol)
    assert url in client.get(reverse("clients:settings")).content.decode()
    page = client.get(url).content.decode()
    assert "cannot be undone" in page and _confirm_form(page) == reverse("clients:settings")
    assert 'name="action" value="revoke_key"' in page
    assert ApiKey.objects.get().is_active
    client.post(reverse("clients:settings"), {"action": "revoke_key", "pk": key.pk})
    assert not ApiKey.objects.get().is_active


def test_removing_a_colleague_asks_first(client, acme, carol):
    erin = FirmMemberFactory(firm=acme, role="member", user__email="erin@acme.example")
    url = reverse("clients:member_remove", args=[erin.pk])
    client.force_login(carol)
    assert url in client.get(reverse("clients:settings")).content.decode()
    page = client.get(url).content.decode()
    assert "erin@acme.example can no longer see" in page
    assert 'name="action" value="remove_member"' in page
    assert FirmMember.objects.filter(pk=erin.pk).exists()


def test_a_plain_member_gets_no_confirmation_pages_for_admin_actions(client, acme, carol):
    key, _raw = api_key_create(firm=acme, user=carol, name="CRM")
    erin = FirmMemberFactory(firm=acme, role="member", user__email="erin@acme.example")
    client.force_login(erin.user)
    assert client.get(reverse("clients:key_revoke", args=[key.pk])).status_code == 403
    assert client.get(reverse("clients:member_remove", args=[erin.pk])).status_code == 403


def test_another_firms_items_have_no_confirmation_pages(client, acme, carol, dave, meera):
    key, _raw = api_key_create(firm=acme, user=carol, name="CRM")
    client.force_login(dave)
    engagement = Engagement.objects.get(agent=meera)
    for url in [
        reverse("clients:engagement_end", args=[engagement.pk]),
        reverse("clients:request_close", args=[StaffingRequest.objects.get().pk]),
        reverse("clients:key_revoke", args=[key.pk]),
        reverse("clients:member_remove", args=[carol.firm_membership.pk]),
    ]:
        assert client.get(url).status_code == 404, url


def test_a_confirmation_of_what_can_no_longer_be_done_says_so_and_goes_back(client, carol, meera):
    engagement = Engagement.objects.get(agent=meera)
    marketplace.engagement_end(
        engagement_id=engagement.pk, firm=engagement.firm, user=carol, reason="Season over"
    )
    client.force_login(carol)
    url = reverse("clients:engagement_end", args=[engagement.pk])
    assert client.get(url).url == reverse("clients:engagements")
    client.force_login(meera.user)
    url = reverse("opportunities:engagement_end", args=[engagement.pk])
    assert client.get(url).url == reverse("opportunities:engagements")
    approved = Application.objects.get(agent=meera)
    response = client.get(reverse("opportunities:withdraw", args=[approved.pk]), follow=True)
    assert "This application is approved" in response.content.decode()
