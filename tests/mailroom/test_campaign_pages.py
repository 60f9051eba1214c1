"""The firm's email campaign pages: members see them, admins act, and another firm's
campaign or suppression ids are 404 for every page and action."""

from decimal import Decimal

import pytest
from django.urls import reverse

from clients.models import FirmMember
from mailroom.models import EmailCampaign, EmailSuppression
from tests.mailroom.campaigning import campaign_draft, email_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(carol, acme, mail_address):
    people = email_list(acme, [("Asha Menon", "asha@example.net")], policy_no="P-7")
    return campaign_draft(carol, acme, mail_address, [people])


def test_the_detail_page_shows_figures_and_the_first_contacts_preview(client, carol, draft):
    client.force_login(carol)
    page = client.get(reverse("mail_campaigns:detail", args=[draft.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Your policy P-7, Asha" in html
    assert "Dear Asha Menon," in html
    assert client.get(reverse("mail_campaigns:list")).status_code == 200
    progress = client.get(reverse("mail_campaigns:progress", args=[draft.pk]))
    assert "campaign-progress-bar" in progress.content.decode()


def test_an_admin_creates_a_campaign_through_the_form(client, carol, acme, mail_address):
    from tests.factories import StaffingRequestFactory

    people = email_list(acme, [("Asha", "asha@example.net")])
    request = StaffingRequestFactory(firm=acme, campaign_email_rate=Decimal("2.00"))
    client.force_login(carol)
    form = {
        "name": "Renewals",
        "request": request.pk,
        "address": mail_address.pk,
        "lists": [people.pk],
        "subject": "Hello {first_name}",
        "body": "Dear {name}",
        "rate_per_minute": 30,
    }
    refused = client.post(reverse("mail_campaigns:new"), form | {"body": "{name.__class__}"})
    assert refused.status_code == 200
    assert "is not a field name" in refused.content.decode()
    response = client.post(reverse("mail_campaigns:new"), form)
    campaign = EmailCampaign.objects.get()
    assert response.url == reverse("mail_campaigns:detail", args=[campaign.pk])
    assert (campaign.rate_per_minute, list(campaign.lists.all())) == (30, [people])


def test_a_member_sees_but_cannot_start(client, carol, acme, draft):
    FirmMember.objects.filter(user=carol).update(role=FirmMember.Role.MEMBER)
    client.force_login(carol)
    assert client.get(reverse("mail_campaigns:detail", args=[draft.pk])).status_code == 200
    client.post(reverse("mail_campaigns:move", args=[draft.pk, "start"]))
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_another_firms_ids_are_404_for_every_page_and_action(client, dave, acme, draft):
    entry = EmailSuppression.objects.create(firm=acme, email="x@example.net", reason="manual")
    client.force_login(dave)
    for name in ("detail", "edit", "progress"):
        assert client.get(reverse(f"mail_campaigns:{name}", args=[draft.pk])).status_code == 404
    for name in ("schedule", "test"):
        assert client.post(reverse(f"mail_campaigns:{name}", args=[draft.pk])).status_code in (
            302,
            404,
        )
    response = client.post(reverse("mail_campaigns:move", args=[draft.pk, "start"]))
    assert response.status_code == 404
    remove = client.post(reverse("mail_campaigns:suppression_remove", args=[entry.pk]))
    assert remove.status_code == 404
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert EmailSuppression.objects.filter(pk=entry.pk).exists()
    assert (
        "x@example.net" not in client.get(reverse("mail_campaigns:suppressions")).content.decode()
    )


def test_an_admin_adds_and_removes_an_address_by_hand(client, carol, acme):
    client.force_login(carol)
    client.post(reverse("mail_campaigns:suppressions"), {"email": "Someone@Example.net"})
    entry = EmailSuppression.objects.get()
    assert (entry.email, entry.reason) == ("someone@example.net", "manual")
    url = reverse("mail_campaigns:suppression_remove", args=[entry.pk])
    assert url in client.get(reverse("mail_campaigns:suppressions")).content.decode()
    assert client.get(url).status_code == 200  # the confirmation: nothing removed yet
    assert EmailSuppression.objects.exists()
    client.post(url)
    assert not EmailSuppression.objects.exists()
