"""Every app's agent pages work on the signed-in agent's own profile (agent_profile_required)."""

import pytest
from django.urls import reverse

from accounts.models import User
from agents.models import AgentProfile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

AGENT_PAGES = ["agents:home", "opportunities:list", "opportunities:engagements", "earnings:home"]


@pytest.mark.parametrize("page", AGENT_PAGES)
def test_an_agent_made_by_staff_gets_a_profile_on_the_first_visit_to_any_agent_page(client, page):
    walter = UserFactory(email="walter@example.com", role=User.Role.AGENT)
    client.force_login(walter)
    assert client.get(reverse(page)).status_code == 200
    assert AgentProfile.objects.filter(user=walter).count() == 1


@pytest.mark.parametrize("page", AGENT_PAGES)
def test_a_client_user_is_refused_every_agent_page(client, carol, page):
    client.force_login(carol)
    assert client.get(reverse(page)).status_code == 403
    assert not AgentProfile.objects.filter(user=carol).exists()
