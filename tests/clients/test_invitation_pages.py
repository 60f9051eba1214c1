"""The agency opens a firm; its admin accepts the emailed invitation and invites a colleague."""

import re

import pytest
from django.urls import reverse

from accounts.models import User
from clients.models import ClientFirm, FirmMember

pytestmark = pytest.mark.django_db


def _link(mail) -> str:
    return re.search(r"https?://\S+/client/invites/\S+/", mail.body).group(0)


def test_the_agency_opens_a_firm_and_its_admin_joins_by_the_emailed_link(
    client, root, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(root)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("staff_clients:firms"),
            {
                "name": "Udupi Mutual",
                "engagement_type": "partial",
                "currency": "INR",
                "contact_name": "Uma",
                "contact_email": "uma@udupi.example",
                "admin_email": "uma@udupi.example",
            },
        )
    firm = ClientFirm.objects.get(name="Udupi Mutual")
    link = _link(mailoutbox[-1])
    client.logout()

    response = client.post(link, {"name": "Uma Shetty", "password": "a-long-pass-phrase-42"})
    assert response.status_code == 302
    uma = User.objects.get(email="uma@udupi.example")
    assert uma.role == "client" and FirmMember.objects.get(user=uma).firm == firm
    assert client.get(reverse("clients:home")).status_code == 200  # signed in
    client.logout()
    assert client.get(link).status_code == 404  # used once


def test_a_member_cannot_invite_or_create_keys(client, acme):
    from tests.factories import FirmMemberFactory

    member = FirmMemberFactory(firm=acme, role="member").user
    client.force_login(member)
    page = client.get(reverse("clients:settings")).content.decode()
    assert "Send invitation" not in page and "Create key" not in page
    response = client.post(reverse("clients:settings"), {"action": "create_key", "name": "x"})
    assert response.status_code == 403  # the page and the service both refuse (issue 13)
    assert not acme.api_keys.exists()


def test_inviting_an_address_that_already_has_an_account_is_refused(client, carol, alice):
    client.force_login(carol)
    data = {"action": "invite", "email": alice.email, "role": "member"}
    response = client.post(reverse("clients:settings"), data)
    assert "already has a Homeshore account" in response.content.decode()
