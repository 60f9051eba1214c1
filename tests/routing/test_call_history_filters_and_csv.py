"""The firm's call history: filters by line, agent, outcome and dates, pages by cursor, the
same calls as CSV (callers masked, agents by name only), and never another firm's calls."""

import csv
import io

import pytest
from django.urls import reverse

from routing.models import Call
from tests.factories import AgentProfileFactory, PhoneLineFactory
from tests.routing.analytics_data import at, make_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(acme, globex):
    claims = PhoneLineFactory(firm=acme, name="Claims")
    sales = PhoneLineFactory(firm=acme, name="Sales")
    theirs = PhoneLineFactory(firm=globex, name="Globex support")
    meena = AgentProfileFactory(full_name="Meena Iyer", phone="+919900011122")
    ravi = AgentProfileFactory(full_name="Ravi Rao")
    make_call(claims, at(3, 10), agent=meena, caller="+919845000001")
    make_call(claims, at(2, 10), "abandoned")
    make_call(sales, at(1, 10), agent=ravi)
    make_call(sales, at(0, 9), agent=meena)
    make_call(theirs, at(1, 11), agent=ravi, caller="+919845099999")
    return {"claims": claims, "sales": sales, "theirs": theirs, "meena": meena, "ravi": ravi}


def _shown(client, **params):
    response = client.get(reverse("calls:history"), params)
    assert response.status_code == 200
    return response, [
        (c.line.name, c.agent.full_name if c.agent else None) for c in response.context["page"]
    ]


def test_each_filter_narrows_the_history(client, carol, calls):
    client.force_login(carol)
    _, everything = _shown(client)
    assert len(everything) == 4 and ("Globex support", "Ravi Rao") not in everything
    assert _shown(client, line=calls["claims"].pk)[1] == [
        ("Claims", None),
        ("Claims", "Meena Iyer"),
    ]
    assert _shown(client, agent=calls["meena"].pk)[1] == [
        ("Sales", "Meena Iyer"),
        ("Claims", "Meena Iyer"),
    ]
    assert _shown(client, outcome="abandoned")[1] == [("Claims", None)]
    day = at(1, 0).date().isoformat()
    assert _shown(client, start=day, end=day)[1] == [("Sales", "Ravi Rao")]


def test_another_firms_line_or_agent_gives_a_message_and_none_of_its_calls(
    client, carol, dave, calls
):
    client.force_login(carol)
    response, rows = _shown(client, line=calls["theirs"].pk)
    assert rows == [] and response.context["form"].errors["line"]
    response = client.get(reverse("calls:history_csv"), {"line": calls["theirs"].pk})
    # Not an empty file that reads as "no calls": a 400 saying what to correct.
    assert response.status_code == 400 and b"correct the filter" in response.content
    client.force_login(dave)  # Globex: Ravi took one of its calls, Meena none
    response, rows = _shown(client, agent=calls["meena"].pk)
    assert rows == [] and response.context["form"].errors["agent"]
    assert _shown(client, agent=calls["ravi"].pk)[1] == [("Globex support", "Ravi Rao")]


@pytest.mark.parametrize(
    "params",
    [
        {"start": "31-31-2026"},
        {"start": "2026-02-01", "end": "2026-01-01"},
        {"end": "9999-12-31"},
        {"outcome": "bogus"},
        {"line": "x"},
    ],
)
def test_bad_filters_are_a_message_not_a_500(client, carol, calls, params):
    client.force_login(carol)
    response, rows = _shown(client, **params)
    assert rows == [] and response.context["form"].errors
    assert client.get(reverse("calls:history_csv"), params).status_code == 400  # and says why


def test_pages_keep_the_filters(client, carol, calls):
    for minute in range(55):
        make_call(calls["claims"], at(1, 12, minute), "abandoned")
    client.force_login(carol)
    first = client.get(reverse("calls:history"), {"outcome": "abandoned"}).context["page"]
    assert len(first) == 50 and first.has_next
    second = client.get(
        reverse("calls:history"), {"outcome": "abandoned", "cursor": first.next_cursor}
    )
    rows = list(second.context["page"])
    assert len(rows) == 6 and {c.status for c in rows} == {"abandoned"}
    assert not {c.pk for c in rows} & {c.pk for c in first}
    assert "outcome=abandoned" in second.content.decode()  # the links carry the filter


def test_the_csv_has_the_filtered_calls_callers_masked_and_no_agents_number(client, carol, calls):
    client.force_login(carol)
    response = client.get(reverse("calls:history_csv"), {"agent": calls["meena"].pk})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"  # no cache keeps a copy
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # Excel reads the ₹ and • as UTF-8 then
    text = body.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[:3] == ["time", "line", "caller"]
    assert [r[1] for r in rows] == ["Sales", "Claims"]
    assert {r[5] for r in rows} == {"Meena Iyer"} and {r[4] for r in rows} == {"Tamil"}
    assert "9845000001" not in text and "'+91••••••01" in text  # masked (and kept as text)
    assert "9900011122" not in text and "99000 11122" not in text
    assert "Globex" not in text and "9845099999" not in text
    assert Call.objects.count() == 5


def test_the_history_page_reads_in_a_fixed_number_of_queries(
    client, carol, calls, django_assert_num_queries
):
    for minute in range(30):
        make_call(calls["sales"], at(1, 14, minute), agent=calls["ravi"])
    client.force_login(carol)
    client.get(reverse("calls:history"))  # warm the session
    with django_assert_num_queries(8):  # 7 + the bell's unread count
        response = client.get(reverse("calls:history"), {"line": calls["sales"].pk})
    assert len(response.context["page"]) == 32
    csv_response = client.get(reverse("calls:history_csv"))
    assert csv_response.streaming
