"""Firms and their people: the agency opens a firm, admins invite colleagues, seats end."""

import datetime as dt
import hashlib
import re

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from clients.models import ClientFirm, FirmInvite, FirmMember
from clients.services import (
    firm_create,
    firm_update,
    invite_accept,
    invite_create,
    member_remove,
)
from common.errors import ApplicationError, ConflictError
from tests.factories import FirmMemberFactory

pytestmark = pytest.mark.django_db

BASE_URL = "https://homeshore.example"
GOOD_PASSWORD = "a-long-pass-phrase-42"


@pytest.fixture
def invited(acme, carol):
    """An open invitation to acme as a plain member, and its one-time token."""
    return invite_create(
        firm=acme, email="Erin@Acme.example ", role="member", invited_by=carol, base_url=BASE_URL
    )


def test_opening_a_firm_invites_its_first_admin_by_an_emailed_link(
    root, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        firm, invite = firm_create(
            name="  Udupi Mutual ",
            engagement_type="partial",
            currency="INR",
            contact_name="Uma",
            contact_email="uma@udupi.example",
            admin_email="uma@udupi.example",
            invited_by=root,
            base_url=BASE_URL,
        )
    assert ClientFirm.objects.get(pk=firm.pk).name == "Udupi Mutual"
    assert (invite.firm, invite.email, invite.role, invite.accepted_at) == (
        firm,
        "uma@udupi.example",
        "admin",
        None,
    )
    assert invite.expires_at > timezone.now() + dt.timedelta(days=6)
    [mail] = mailoutbox
    assert mail.to == ["uma@udupi.example"]
    token = re.search(rf"{BASE_URL}/client/invites/(\S+)/", mail.body).group(1)
    # Only the digest is kept: a database leak must not hand out working links.
    assert invite.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(FirmInvite.objects.filter(pk=invite.pk).values().get())


def test_no_email_is_sent_before_the_firm_is_committed(root, mailoutbox):
    firm_create(
        name="Udupi Mutual",
        engagement_type="partial",
        currency="INR",
        contact_name="Uma",
        contact_email="uma@udupi.example",
        admin_email="uma@udupi.example",
        invited_by=root,
        base_url=BASE_URL,
    )
    assert mailoutbox == []


def test_accepting_creates_a_verified_client_user_with_the_invited_role(invited, acme):
    invite, token = invited
    user = invite_accept(token=token, name=" Erin ", password=GOOD_PASSWORD)
    assert (user.email, user.name, user.role) == ("erin@acme.example", "Erin", User.Role.CLIENT)
    assert user.check_password(GOOD_PASSWORD)
    assert EmailAddress.objects.get(user=user).verified
    membership = FirmMember.objects.get(user=user)
    assert (membership.firm, membership.role) == (acme, "member")
    invite.refresh_from_db()
    assert invite.accepted_at is not None


def test_a_link_works_only_once(invited):
    _invite, token = invited
    invite_accept(token=token, name="Erin", password=GOOD_PASSWORD)
    with pytest.raises(ConflictError):
        invite_accept(token=token, name="Erin again", password=GOOD_PASSWORD)
    assert User.objects.filter(email="erin@acme.example").count() == 1


def test_an_expired_invitation_is_refused(invited):
    invite, token = invited
    FirmInvite.objects.filter(pk=invite.pk).update(expires_at=timezone.now())
    with pytest.raises(ConflictError, match="expired"):
        invite_accept(token=token, name="Erin", password=GOOD_PASSWORD)
    assert not User.objects.filter(email="erin@acme.example").exists()


def test_a_weak_password_is_refused_and_no_account_is_made(invited):
    invite, token = invited
    with pytest.raises(ApplicationError) as raised:
        invite_accept(token=token, name="Erin", password="1234")
    assert raised.value.field == "password"
    assert not User.objects.filter(email="erin@acme.example").exists()
    invite.refresh_from_db()
    assert invite.accepted_at is None


def test_it_refuses_to_invite_an_address_that_already_has_an_account(acme, carol, alice):
    with pytest.raises(ApplicationError, match="already has a Homeshore account") as raised:
        invite_create(
            firm=acme,
            email="ALICE@example.com",
            role="member",
            invited_by=carol,
            base_url=BASE_URL,
        )
    assert raised.value.field == "email"
    assert not FirmInvite.objects.exists()


def test_a_re_invite_replaces_the_open_invitation(invited, acme, carol):
    _old, old_token = invited
    new, new_token = invite_create(
        firm=acme, email="erin@acme.example", role="admin", invited_by=carol, base_url=BASE_URL
    )
    assert list(FirmInvite.objects.filter(firm=acme, accepted_at__isnull=True)) == [new]
    with pytest.raises(ConflictError):
        invite_accept(token=old_token, name="Erin", password=GOOD_PASSWORD)
    user = invite_accept(token=new_token, name="Erin", password=GOOD_PASSWORD)
    assert user.firm_membership.role == "admin"


def test_the_last_admin_cannot_be_removed(acme, carol):
    with pytest.raises(ConflictError, match="at least one admin"):
        member_remove(firm=acme, user=carol, member_id=carol.firm_membership.pk)
    assert FirmMember.objects.filter(firm=acme, user=carol).exists()


@pytest.fixture
def erin(acme) -> User:
    """A plain member of acme."""
    return FirmMemberFactory(firm=acme, role="member").user


def test_an_admin_removes_a_colleague_and_their_account_is_disabled(acme, carol, erin):
    member_remove(firm=acme, user=carol, member_id=erin.firm_membership.pk)
    erin.refresh_from_db()
    assert not erin.is_active
    assert not FirmMember.objects.filter(user=erin).exists()


@pytest.mark.parametrize("remover", ["erin", "dave"], ids=["a plain member", "another firm"])
def test_only_the_firms_admins_remove_members(acme, carol, remover, request):
    with pytest.raises(ApplicationError, match="Only your firm's admins"):
        member_remove(
            firm=acme, user=request.getfixturevalue(remover), member_id=carol.firm_membership.pk
        )
    carol.refresh_from_db()
    assert carol.is_active and FirmMember.objects.filter(user=carol).exists()


def test_a_plain_member_cannot_update_the_firm(acme, erin):
    with pytest.raises(ApplicationError, match="Only your firm's admins"):
        firm_update(firm=acme, user=erin, contact_name="Erin")
    acme.refresh_from_db()
    assert acme.contact_name == "Contact Person"


def test_the_engagement_type_cannot_be_changed_by_the_firm(acme, carol):
    with pytest.raises(ApplicationError, match="engagement_type cannot be changed"):
        firm_update(firm=acme, user=carol, engagement_type="complete")
    assert ClientFirm.objects.get(pk=acme.pk).engagement_type == "partial"


def test_an_admin_updates_the_contact_details(acme, carol):
    firm_update(firm=acme, user=carol, contact_name="Carol C", currency="USD")
    acme.refresh_from_db()
    assert (acme.contact_name, acme.currency) == ("Carol C", "USD")
