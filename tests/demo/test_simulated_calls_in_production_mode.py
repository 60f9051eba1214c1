"""`simulate_calls` (and so `seed_demo`) makes real calls with the production settings too:
its in-process webhooks are https, as Twilio's are, so SECURE_SSL_REDIRECT never turns them
into redirects (it did: the production smoke run's demo had no calls and nothing settled)."""

import pytest
from django.core.management import call_command

from routing.models import Call
from tests.factories import PhoneLineFactory

pytestmark = pytest.mark.django_db


def test_simulated_calls_reach_the_webhooks_behind_the_https_redirect(settings, capsys):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    PhoneLineFactory()
    call_command("simulate_calls", calls=3, seed=1)
    assert Call.objects.count() == 3
    assert "not routed" not in capsys.readouterr().out


@pytest.mark.parametrize("hosts", [["homeshore.example", "www.homeshore.example"], ["*"]])
def test_simulated_calls_use_a_host_the_settings_allow(settings, capsys, hosts):
    # Production's DJANGO_ALLOWED_HOSTS name the site, not Django's "testserver": every
    # simulated call was a DisallowedHost and the demo's analytics stood empty.
    settings.ALLOWED_HOSTS = hosts
    PhoneLineFactory()
    call_command("simulate_calls", calls=2, seed=1)
    assert Call.objects.count() == 2
    assert "not routed" not in capsys.readouterr().out
