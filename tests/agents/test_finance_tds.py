from decimal import Decimal

import pytest
from django.urls import reverse

from agents.staff_selectors import agent_timeline

pytestmark = pytest.mark.django_db


def test_finance_sets_an_agents_tds_rate_and_it_is_audited(client, fiona, alice):
    client.force_login(fiona)
    agent = alice.agent_profile
    assert "Alice Agent" in client.get(reverse("finance_agents:tds")).content.decode()
    response = client.post(reverse("finance_agents:tds_update", args=[agent.pk]), {"tds_rate": "5"})
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.tds_rate == Decimal("5.00")
    event = agent_timeline(agent=agent).get()
    assert (event.action, event.actor, event.reason) == ("tds_changed", fiona, "10.00% -> 5%")


def test_the_agent_sees_the_rate_finance_set(client, alice):
    type(alice.agent_profile).objects.filter(pk=alice.agent_profile.pk).update(tds_rate=7.5)
    client.force_login(alice)
    assert "7.50%" in client.get(reverse("agents:profile")).content.decode()


@pytest.mark.parametrize("rate", ["-1", "101", "abc", ""])
def test_a_bad_rate_is_refused_with_a_message(client, fiona, alice, rate):
    client.force_login(fiona)
    url = reverse("finance_agents:tds_update", args=[alice.agent_profile.pk])
    response = client.post(url, {"tds_rate": rate}, follow=True)
    assert "percentage from 0 to 100" in response.content.decode()
    alice.agent_profile.refresh_from_db()
    assert alice.agent_profile.tds_rate == Decimal("10.00")


@pytest.mark.parametrize("persona", ["alice", "carol", "victor"])
def test_only_finance_opens_the_tds_pages(client, request, persona, bob):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("finance_agents:tds")).status_code == 403
    url = reverse("finance_agents:tds_update", args=[bob.agent_profile.pk])
    assert client.post(url, {"tds_rate": "1"}).status_code == 403


def test_an_unknown_agent_is_a_404(client, fiona):
    client.force_login(fiona)
    assert (
        client.post(
            reverse("finance_agents:tds_update", args=[999999]), {"tds_rate": "1"}
        ).status_code
        == 404
    )
