"""Quality (mean score of the period's calls) and Survey (mean keypad rating of the period's
answered calls, with the count) beside each agent's figures: the firm's own calls on the
firm's page, per agent and firm on the staff's — in a few GROUP BYs, not one per agent."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from routing.analytics import Period, quality_per_agent
from routing.models import Call
from routing.services.quality import call_score
from tests.factories import AgentProfileFactory, FirmMemberFactory, PhoneLineFactory
from tests.routing.quality_data import answered_call, ratings, scorecard

pytestmark = pytest.mark.django_db
DAY = timezone.localdate() - dt.timedelta(days=1)


@pytest.fixture
def scored(acme, globex, carol, dave):
    asha, bala = AgentProfileFactory(full_name="Asha"), AgentProfileFactory(full_name="Bala")
    line, theirs = PhoneLineFactory(firm=acme), PhoneLineFactory(firm=globex)
    card, their_card = scorecard(acme, 1), scorecard(globex, 1)
    calls = [
        answered_call(line, asha, hour=9),  # 100% and survey 5
        answered_call(line, asha, hour=10),  # 50% and survey 2
        answered_call(line, bala, hour=11),  # 20%, no survey
        answered_call(theirs, asha, hour=12),  # Globex's: 0%, survey 1
        answered_call(line, asha, days_ago=5),  # outside the period: 0%, survey 1
    ]
    for call, rating, survey in zip(calls, [5, 2.5, 1, 0, 0], [5, 2, None, 1, 1], strict=True):
        who, on = (dave, their_card) if call.firm_id != acme.pk else (carol, card)
        if rating == 2.5:  # two scorers: 40% and 60%, a mean of 50
            call_score(call_id=call.pk, scorer=who, scorecard_id=on.pk, ratings=ratings(on, 2))
            other = FirmMemberFactory(firm=acme, role="member").user
            call_score(call_id=call.pk, scorer=other, scorecard_id=on.pk, ratings=ratings(on, 3))
        else:
            call_score(call_id=call.pk, scorer=who, scorecard_id=on.pk, ratings=ratings(on, rating))
        Call.objects.filter(pk=call.pk).update(survey_score=survey)
    return {"asha": asha, "bala": bala}


def _period():
    return {"period": "range", "start": DAY.isoformat(), "end": DAY.isoformat()}


def test_the_firms_page_shows_its_own_calls_quality_and_survey(client, carol, scored):
    client.force_login(carol)
    response = client.get(reverse("calls:list"), _period())
    rows = {r["name"]: r for r in response.context["agents"]}
    asha, bala = rows["Asha"], rows["Bala"]
    assert (round(float(asha["quality"]), 2), asha["scored"]) == (
        66.67,
        3,
    )  # 100, 40, 60: not Globex's
    assert (float(asha["survey"]), asha["surveyed"]) == (3.5, 2)
    assert (float(bala["quality"]), bala["scored"], bala["survey"], bala["surveyed"]) == (
        20.0,
        1,
        None,
        0,
    )
    body = response.content.decode()
    assert "66.7%" in body and "3.5/5" in body and "(2 ratings)" in body


def test_the_staff_page_shows_each_agent_per_firm(client, root, scored):
    client.force_login(root)
    response = client.get(reverse("routing_console:agents"), _period())
    rows = {(r["name"], r["firm"]): r for r in response.context["agents"]}
    acme_row, globex_row = rows[("Asha", "Acme Insurance")], rows[("Asha", "Globex Telecom")]
    assert (round(float(acme_row["quality"]), 2), acme_row["scored"]) == (66.67, 3)
    assert (float(globex_row["quality"]), float(globex_row["survey"])) == (0.0, 1.0)


def test_the_figures_cost_two_queries_whatever_the_agents(
    django_assert_max_num_queries, acme, scored
):
    with django_assert_max_num_queries(2):
        found = quality_per_agent(period=Period(DAY, DAY), firm=acme)
    assert len(found) == 2
