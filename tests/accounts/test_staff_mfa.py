import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts.models import User
from tests.conftest import STAFF_TOTP_SECRET, has_totp, totp_now
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["vetting:home", "finance:home", "accounts:staff_home", "admin:index"]


@pytest.mark.parametrize("role", [User.Role.VETTING, User.Role.FINANCE, User.Role.ADMIN])
def test_staff_without_totp_are_sent_to_enrol_before_any_staff_page(client, role):
    user = UserFactory(role=role, is_superuser=role == User.Role.ADMIN, is_staff=True)
    client.force_login(user)
    for name in STAFF_PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response.url == reverse("mfa_activate_totp"), name


def test_the_enrolment_page_explains_why(client, staff_without_totp):
    client.force_login(staff_without_totp)
    response = client.get(reverse("vetting:home"), follow=True)
    assert "Staff pages need two-factor authentication" in response.content.decode()


def test_staff_enrol_totp_with_a_code_and_then_the_pages_open(client, staff_without_totp):
    client.post(reverse("account_login"), {"login": staff_without_totp.email, "password": PASSWORD})
    # allauth asks for the password again before a security change.
    response = client.get(reverse("mfa_activate_totp"))
    assert response.url.startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session["mfa.totp.secret"]

    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert not has_totp(staff_without_totp)

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_now(secret)})
    assert response.status_code == 302
    assert has_totp(staff_without_totp)
    assert Authenticator.objects.filter(
        user=staff_without_totp, type=Authenticator.Type.RECOVERY_CODES
    ).exists()
    assert client.get(reverse("vetting:home")).status_code == 200


def test_staff_sign_in_asks_for_the_code_and_rejects_a_wrong_one(client, victor):
    response = client.post(reverse("account_login"), {"login": victor.email, "password": PASSWORD})
    assert response.url == reverse("mfa_authenticate")
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated

    response = client.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()

    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(STAFF_TOTP_SECRET)})
    assert response.status_code == 302
    assert response.url == reverse("vetting:home")
    assert client.get(reverse("vetting:home")).status_code == 200


def test_agents_are_not_asked_for_two_factor(client, alice):
    response = client.post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})
    assert response.url == reverse("agents:home")


def test_the_django_admin_signs_in_through_allauth(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_django_admin_refuses_non_superuser_staff(client, victor):
    client.force_login(victor)
    assert client.get(reverse("admin:index")).status_code == 302  # not is_staff: to admin login
    assert client.get(reverse("admin:login")).status_code == 403
