"""Issue 13: a plain member of a firm cannot manage it, through the page or the services.

The attacker is erin, a plain member of acme: she posts the settings page's forms by hand
(the page hides them from her) and calls the services directly. Every refusal changes
nothing; every action an admin takes leaves an audit record about the firm.
"""

import pytest

from accounts.models import User
from clients.models import ApiKey, FirmInvite, FirmMember
from clients.services import (
    NotAllowed,
    api_key_create,
    api_key_revoke,
    firm_create,
    firm_update,
    invite_create,
    member_remove,
)
from common.models import AuditRecord
from tests.factories import FirmMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

BASE_URL = "https://homeshore.example"


@pytest.fixture
def erin(acme):
    """A plain member of acme: the attacker."""
    return FirmMemberFactory(
        firm=acme, role=FirmMember.Role.MEMBER, user__email="erin@acme.example"
    ).user


def _settings_post(client, user, **data):
    client.force_login(user)
    return client.post("/client/settings/", data)


def test_a_plain_member_posting_an_admin_invitation_gets_a_403_and_no_invitation(
    client, acme, carol, erin
):
    answer = _settings_post(
        client, erin, action="invite", email="mallory@evil.example", role="admin"
    )
    assert answer.status_code == 403
    assert not FirmInvite.objects.filter(firm=acme).exists()


def test_the_invite_service_refuses_a_plain_member_even_without_the_view(acme, erin):
    with pytest.raises(NotAllowed):
        invite_create(
            firm=acme,
            email="mallory@evil.example",
            role="admin",
            invited_by=erin,
            base_url=BASE_URL,
        )
    assert not FirmInvite.objects.filter(firm=acme).exists()


def test_an_admin_of_another_firm_cannot_invite_into_this_one(acme, dave):
    with pytest.raises(NotAllowed):
        invite_create(
            firm=acme, email="m@evil.example", role="admin", invited_by=dave, base_url=BASE_URL
        )


def test_an_invitation_with_an_unknown_role_is_refused(acme, carol):
    with pytest.raises(Exception, match="admin or member"):
        invite_create(
            firm=acme, email="m@a.example", role="superuser", invited_by=carol, base_url=BASE_URL
        )


def test_a_plain_member_cannot_remove_a_colleague(client, acme, carol, erin):
    seat = carol.firm_membership
    answer = _settings_post(client, erin, action="remove_member", pk=seat.pk)
    assert answer.status_code == 403
    with pytest.raises(NotAllowed):
        member_remove(firm=acme, user=erin, member_id=seat.pk)
    assert FirmMember.objects.filter(pk=seat.pk).exists()


def test_a_plain_member_cannot_create_or_revoke_api_keys(client, acme, carol, erin):
    answer = _settings_post(client, erin, action="create_key", name="exfiltrate")
    assert answer.status_code == 403
    with pytest.raises(NotAllowed):
        api_key_create(firm=acme, user=erin, name="exfiltrate")
    assert not ApiKey.objects.filter(firm=acme).exists()
    key, _raw = api_key_create(firm=acme, user=carol, name="CRM")
    assert _settings_post(client, erin, action="revoke_key", pk=key.pk).status_code == 403
    with pytest.raises(NotAllowed):
        api_key_revoke(firm=acme, user=erin, key_id=key.pk)
    key.refresh_from_db()
    assert key.revoked_at is None


def test_a_plain_member_cannot_change_the_firm(client, acme, erin):
    answer = _settings_post(
        client,
        erin,
        action="profile",
        name="Pwned",
        currency="INR",
        contact_name="x",
        contact_email="x@x.example",
    )
    assert answer.status_code == 403
    with pytest.raises(NotAllowed):
        firm_update(firm=acme, user=erin, name="Pwned")
    acme.refresh_from_db()
    assert acme.name == "Acme Insurance"


def test_an_admin_manages_the_firm_and_every_action_is_audited(client, acme, carol, erin):
    _settings_post(client, carol, action="invite", email="frank@acme.example", role="admin")
    _settings_post(client, carol, action="create_key", name="CRM")
    key = ApiKey.objects.get(firm=acme)
    _settings_post(client, carol, action="revoke_key", pk=key.pk)
    _settings_post(client, carol, action="remove_member", pk=erin.firm_membership.pk)
    assert FirmInvite.objects.get(firm=acme).role == "admin"
    assert list(AuditRecord.objects.about(acme).order_by("id").values_list("action", "actor")) == [
        ("invite_created", carol.pk),
        ("api_key_created", carol.pk),
        ("api_key_revoked", carol.pk),
        ("member_removed", carol.pk),
    ]


@pytest.mark.parametrize("role", [User.Role.CLIENT, User.Role.VETTING, User.Role.FINANCE])
def test_only_an_agency_administrator_opens_a_firm(role):
    user = UserFactory(role=role)
    with pytest.raises(NotAllowed):
        firm_create(
            name="Shadow Co",
            engagement_type="partial",
            currency="INR",
            contact_name="S",
            contact_email="s@shadow.example",
            admin_email="s@shadow.example",
            invited_by=user,
            base_url=BASE_URL,
        )
    assert not FirmInvite.objects.exists()
