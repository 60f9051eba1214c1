import re

import pytest
from django.urls import reverse

from accounts.models import User
from agents.models import AgentProfile
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

STRONG = "lighthouse-keeper-1957"


def _link(mail, pattern: str) -> str:
    match = re.search(rf"https?://[^/\s]+(/[^\s]*{pattern}[^\s]*)", mail.body)
    assert match, f"no {pattern} link in: {mail.body}"
    return match.group(1)


def _signup(client, email="nina@example.com", password=STRONG):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": password, "password2": password},
    )


def test_signup_sends_a_confirmation_link_and_confirming_signs_the_agent_in(client, mailoutbox):
    response = _signup(client)
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")

    user = User.objects.get(email="nina@example.com")
    assert user.role == User.Role.AGENT
    assert AgentProfile.objects.get(user=user).status == AgentProfile.Status.APPLIED
    assert len(mailoutbox) == 1

    confirm_url = _link(mailoutbox[0], "confirm-email")
    assert client.get(confirm_url).status_code == 200
    response = client.post(confirm_url)
    assert response.status_code == 302
    assert response.url == reverse("agents:home")
    home = client.get(response.url)
    assert home.status_code == 200
    assert home.wsgi_request.user == user


def test_an_unconfirmed_agent_cannot_sign_in(client, mailoutbox):
    _signup(client)
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "nina@example.com", "password": STRONG}
    )
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert not client.get(reverse("agents:home")).wsgi_request.user.is_authenticated


def test_signup_with_a_taken_email_says_so_on_the_form(client, alice):
    response = _signup(client, email="ALICE@example.com")
    assert response.status_code == 200
    assert "already registered with this email" in response.content.decode()
    assert User.objects.filter(email__iexact="alice@example.com").count() == 1


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "too short"),
        ("password123", "too common"),
        ("84736251947", "entirely numeric"),
    ],
)
def test_signup_with_a_weak_password_says_why(client, password, message):
    response = _signup(client, password=password)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(email="nina@example.com").exists()


def test_signup_with_mismatched_passwords_says_so(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "nina@example.com", "password1": STRONG, "password2": STRONG + "x"},
    )
    assert "You must type the same password each time" in response.content.decode()


def test_login_with_a_wrong_password_says_so(client, alice):
    response = client.post(reverse("account_login"), {"login": alice.email, "password": "nope"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_login_and_logout(client, alice):
    response = client.post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})
    assert response.url == reverse("agents:home")
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated


def test_password_reset_sets_a_new_password(client, alice, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": alice.email})
    assert response.status_code == 302
    reset_url = _link(mailoutbox[0], "password/reset/key")

    # allauth moves the key into the session and redirects to a key-less form URL.
    response = client.get(reset_url, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else reset_url
    response = client.post(form_url, {"password1": STRONG, "password2": STRONG})
    assert response.status_code == 302

    alice.refresh_from_db()
    assert alice.check_password(STRONG)


def test_password_reset_with_a_bad_token_explains_the_link_is_invalid(client, alice):
    response = client.get("/accounts/password/reset/key/1-bad-token/", follow=True)
    assert response.status_code == 200
    assert "The password reset link was invalid" in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_password_reset_for_an_unknown_email_says_so(client):
    response = client.post(reverse("account_reset_password"), {"email": "ghost@example.com"})
    assert response.status_code == 200
    assert "not assigned to any user account" in response.content.decode()
