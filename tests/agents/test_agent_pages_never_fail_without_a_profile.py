"""An agent-role user without a profile (made by staff, not through signup) gets an answer
from every agent page — GET and POST, in every app — never a 500: `agent_profile_required`
opens the profile on the first visit, and applying to a request says why it cannot be done."""

import re

import pytest
from django.urls import URLResolver, get_resolver, reverse

from accounts.models import User
from agents.models import AgentProfile
from clients.models import Application
from tests.factories import StaffingRequestFactory, UserFactory

pytestmark = pytest.mark.django_db


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


AGENT_ROUTES = sorted({r for r in _routes(get_resolver().url_patterns) if r.startswith("agent/")})


@pytest.fixture
def walter(client):
    """An agent-role user with no profile yet."""
    user = UserFactory(email="walter@example.com", role=User.Role.AGENT)
    client.force_login(user)
    client.raise_request_exception = False
    return user


@pytest.mark.parametrize("route", AGENT_ROUTES)
def test_every_agent_page_answers_an_agent_without_a_profile(client, walter, route):
    url = "/" + re.sub(r"<[^>]+>", str(StaffingRequestFactory().pk), route)
    for method in (client.get, client.post):
        assert method(url).status_code < 500, (method.__name__, url)


def test_applying_without_a_profile_says_why_and_applies_nothing(client, walter):
    staffing = StaffingRequestFactory()
    response = client.post(reverse("opportunities:apply", args=[staffing.pk]), follow=True)
    assert response.status_code == 200
    assert "Only verified, compliant agents can apply." in response.content.decode()
    assert AgentProfile.objects.filter(user=walter).count() == 1
    assert not Application.objects.exists()
