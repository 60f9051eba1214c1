"""Choosing a language (or skill) one already has changes it; nothing resets it to 1/5."""

import pytest
from django.urls import reverse

from agents.models import AgentLanguage, AgentSkill

pytestmark = pytest.mark.django_db


@pytest.fixture
def tamil(alice):
    return AgentLanguage.objects.create(agent=alice.agent_profile, language="ta", proficiency=4)


def test_re_adding_a_language_changes_its_proficiency_and_says_so(client, alice, tamil):
    client.force_login(alice)
    data = {"action": "language", "language": "ta", "proficiency": "5"}
    response = client.post(reverse("agents:skills"), data, follow=True)
    assert AgentLanguage.objects.get(pk=tamil.pk).proficiency == 5
    assert AgentLanguage.objects.filter(agent=alice.agent_profile).count() == 1
    assert "Tamil: proficiency 4/5 → 5/5." in response.content.decode()


def test_no_level_is_chosen_for_the_agent(client, alice, tamil):
    client.force_login(alice)
    page = client.get(reverse("agents:skills")).content.decode()
    assert '<option value="" selected>Choose…</option>' in page
    response = client.post(reverse("agents:skills"), {"action": "language", "language": "ta"})
    assert "This field is required" in response.content.decode()
    assert AgentLanguage.objects.get(pk=tamil.pk).proficiency == 4  # not reset to 1


def test_re_adding_a_skill_changes_its_level(client, alice):
    skill = AgentSkill.objects.create(
        agent=alice.agent_profile, domain="insurance", sub_skill="claims", level=4, years=20
    )
    client.force_login(alice)
    data = {"action": "skill", "domain": "insurance", "sub_skill": "claims", "years": "21"}
    client.post(reverse("agents:skills"), data)
    assert AgentSkill.objects.get(pk=skill.pk).level == 4  # no level given: nothing changed
    client.post(reverse("agents:skills"), {**data, "level": "5"})
    skill.refresh_from_db()
    assert (skill.level, skill.years) == (5, 21)
