"""Per-agent figures (the firm's own calls only; staff across firms) and the fairness view,
on a small known dataset, equal from the calls and from the roll-ups."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from routing.analytics import Period, fairness, figures_for, spread
from routing.rollups import callday_rollup
from tests.factories import AgentProfileFactory, PhoneLineFactory
from tests.routing.analytics_data import at, make_call

pytestmark = pytest.mark.django_db
DAY = timezone.localdate() - dt.timedelta(days=2)


@pytest.fixture
def agents(acme, globex):
    line = PhoneLineFactory(firm=acme, name="Claims")
    theirs = PhoneLineFactory(firm=globex, name="Globex support")
    a, b, c = (AgentProfileFactory(full_name=name) for name in ("Asha", "Bala", "Chitra"))
    make_call(line, at(2, 10), agent=a, talk=60, offers=[a], ranked=[a, b, c])
    make_call(line, at(2, 11), agent=a, talk=60, offers=[b, a], ranked=[a, b])  # Bala missed it
    make_call(line, at(2, 12), agent=c, talk=120, offers=[c], ranked=[c, b])
    make_call(theirs, at(2, 13), agent=a, talk=30, offers=[a], ranked=[a])
    return {"line": line, "theirs": theirs, "a": a, "b": b, "c": c}


def _firm_rows(client, user):
    client.force_login(user)
    day = DAY.isoformat()
    response = client.get(reverse("calls:list"), {"period": "range", "start": day, "end": day})
    assert response.status_code == 200
    return {
        r["name"]: (
            r["offered"],
            r["answered"],
            r["missed"],
            r["handle_seconds"],
            r["share_percent"],
        )
        for r in response.context["agents"]
    }


EXPECTED = {
    "Asha": (2, 2, 0, 60.0, 67),
    "Bala": (1, 0, 1, None, 0),
    "Chitra": (1, 1, 0, 120.0, 33),
}


def test_the_firm_sees_its_agents_figures_on_its_own_calls_only(client, carol, dave, agents):
    assert _firm_rows(client, carol) == EXPECTED  # Asha's Globex call not counted
    assert _firm_rows(client, dave) == {"Asha": (1, 1, 0, 30.0, 100)}
    callday_rollup(day=DAY)
    assert _firm_rows(client, carol) == EXPECTED
    assert _firm_rows(client, dave) == {"Asha": (1, 1, 0, 30.0, 100)}


def _fairness():
    return {
        line["line_id"]: (
            {a["agent_id"]: (a["offered"], a["chances"]) for a in line["agents"]},
            line["spread"],
        )
        for line in fairness(figures_for(period=Period(DAY, DAY)))
    }


def test_fairness_divides_offers_by_chances_and_gives_their_spread(agents):
    a, b, c = agents["a"], agents["b"], agents["c"]
    raw = _fairness()
    offers, figure = raw[agents["line"].pk]
    assert offers == {a.pk: (2, 3), b.pk: (1, 4), c.pk: (1, 2)}
    assert figure == pytest.approx(spread([2 / 3, 1 / 4, 1 / 2])) and figure == pytest.approx(
        0.3626, abs=1e-4
    )
    assert raw[agents["theirs"].pk] == ({a.pk: (1, 1)}, None)  # one agent: no spread
    callday_rollup(day=DAY)
    assert _fairness() == raw


def test_spread_is_zero_when_shares_are_equal_and_none_for_one_agent():
    assert spread([0.5, 0.5, 0.5]) == 0
    assert spread([0.4]) is None and spread([0, 0]) is None


def test_staff_see_each_agent_by_firm_and_the_fairness_view(client, victor, agents):
    client.force_login(victor)
    day = DAY.isoformat()
    response = client.get(
        reverse("routing_console:agents"), {"period": "range", "start": day, "end": day}
    )
    assert response.status_code == 200
    rows = {
        (r["name"], r["firm"]): (r["answered"], r["share_percent"])
        for r in response.context["agents"]
    }
    assert rows[("Asha", "Acme Insurance")] == (2, 67)
    assert rows[("Asha", "Globex Telecom")] == (1, 100)
    text = response.content.decode()
    assert "How evenly calls were offered" in text and "0.36" in text


def test_firms_and_agents_cannot_open_the_staff_page(client, carol, alice):
    for user in (carol, alice):
        client.force_login(user)
        assert client.get(reverse("routing_console:agents")).status_code == 403


def test_the_staff_page_reads_in_a_fixed_number_of_queries(
    client, victor, agents, django_assert_num_queries
):
    callday_rollup(day=DAY)
    client.force_login(victor)
    client.get(reverse("routing_console:agents"))  # warm the session
    # 15 + the quality and survey GROUP BYs (issue 16) + the bell's unread count
    with django_assert_num_queries(18):
        period = {"period": "range", "start": DAY.isoformat(), "end": timezone.localdate()}
        response = client.get(reverse("routing_console:agents"), period)
    assert response.status_code == 200
