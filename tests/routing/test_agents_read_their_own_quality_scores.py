"""An agent's quality page: their own scores with items, comments, firm and line — never
another agent's, never the caller's number."""

import pytest
from django.urls import reverse

from routing.services.quality import call_score
from tests.factories import AgentProfileFactory, PhoneLineFactory
from tests.routing.quality_data import answered_call, ratings, scorecard

pytestmark = pytest.mark.django_db


def test_an_agent_sees_their_own_scores_and_nobody_elses(client, acme, carol):
    asha, bala = AgentProfileFactory(full_name="Asha"), AgentProfileFactory(full_name="Bala")
    line = PhoneLineFactory(firm=acme, name="Claims")
    card = scorecard(acme, 2, 1)
    theirs = answered_call(line, asha, caller="+919845011111")
    other = answered_call(line, bala, hour=11)
    call_score(
        call_id=theirs.pk,
        scorer=carol,
        scorecard_id=card.pk,
        ratings=ratings(card, 5, 5),
        comment="Lovely call, Asha",
    )
    call_score(
        call_id=other.pk,
        scorer=carol,
        scorecard_id=card.pk,
        ratings=ratings(card, 0, 1),
        comment="Bala, slow down",
    )
    client.force_login(asha.user)
    page = client.get(reverse("agent_calls:quality"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "100.00%" in body and "Lovely call, Asha" in body and "Acme Insurance" in body
    assert "Claims" in body and "C1: 5/5" in body
    assert "Bala, slow down" not in body and "6.67%" not in body
    assert "9845011111" not in body and "11111" not in body
    client.force_login(bala.user)
    body = client.get(reverse("agent_calls:quality")).content.decode()
    assert "Bala, slow down" in body and "Lovely call, Asha" not in body


def test_the_quality_page_is_the_agents_only(client, carol, victor):
    for user in (carol, victor):
        client.force_login(user)
        assert client.get(reverse("agent_calls:quality")).status_code == 403
