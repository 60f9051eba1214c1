import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_repeated_failed_logins_are_stopped_with_a_clear_message(client, alice):
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": alice.email, "password": "x"})
        assert response.status_code == 200
    # Even the right password is refused now, with the reason on the form.
    response = client.post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_the_limit_is_per_account_so_others_can_still_sign_in(client, alice, bob):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": alice.email, "password": "x"})
    response = client.post(reverse("account_login"), {"login": bob.email, "password": PASSWORD})
    assert response.status_code == 302


def test_password_reset_requests_are_limited_per_address(client, alice):
    for _ in range(5):
        response = client.post(reverse("account_reset_password"), {"email": alice.email})
        assert response.status_code == 302
    response = client.post(reverse("account_reset_password"), {"email": alice.email})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_signups_are_limited_per_address(client):
    for i in range(20):
        client.post(reverse("account_signup"), {"email": f"x{i}@example.com", "password1": "a"})
    response = client.post(reverse("account_signup"), {"email": "late@example.com"})
    assert response.status_code == 429
