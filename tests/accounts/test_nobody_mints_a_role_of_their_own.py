"""Issue 13: the only ways to an account — public signup and a firm's invitation — never give
a staff role, an admin flag or a role the form asked for. Staff accounts are made by the
agency (createsuperuser, the Django admin behind is_staff and TOTP)."""

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User
from clients.models import FirmMember
from clients.services import invite_accept, invite_create

pytestmark = pytest.mark.django_db


def test_signup_ignores_a_role_and_staff_flags_posted_with_it(client):
    client.post(
        "/accounts/signup/",
        {
            "email": "mallory@evil.example",
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
            "role": "admin",
            "is_staff": "on",
            "is_superuser": "on",
        },
    )
    user = User.objects.get(email="mallory@evil.example")
    assert (user.role, user.is_staff, user.is_superuser) == (User.Role.AGENT, False, False)
    assert not user.is_staff_role


def test_an_admin_invitation_gives_a_firm_admin_seat_and_never_an_agency_role(acme, carol):
    _invite, token = invite_create(
        firm=acme,
        email="frank@acme.example",
        role="admin",
        invited_by=carol,
        base_url="https://homeshore.example",
    )
    frank = invite_accept(token=token, name="Frank", password="a-long-pass-phrase-42")
    assert frank.firm_membership.role == FirmMember.Role.ADMIN
    assert (frank.role, frank.is_staff, frank.is_superuser) == (User.Role.CLIENT, False, False)
    assert not any(frank.has_role(role) for role in User.STAFF_ROLES)
    assert EmailAddress.objects.get(user=frank).verified


def test_a_client_user_cannot_open_the_django_admin(client, carol):
    client.force_login(carol)
    answer = client.get("/admin/accounts/user/add/")
    assert answer.status_code == 302 and "/admin/login/" in answer["Location"]
