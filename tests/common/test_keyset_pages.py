"""Keyset pages (common.keyset): every row once, in order, ties and nulls included, both
ways; a cursor that was not made by the list is a 400, never a 500; empty pages are pages."""

import datetime as dt

import pytest
from django.core import signing
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from agents.models import AgentProfile
from common.keyset import InvalidCursor, Keyset
from tests.factories import AgentProfileFactory

pytestmark = pytest.mark.django_db


def _walk_forward(keyset: Keyset, rows) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        page = keyset.page(rows, cursor=cursor)
        pages.append([a.pk for a in page])
        if not page.has_next:
            return pages
        cursor = page.next_cursor


@pytest.fixture
def namesakes():
    """Seven agents, five of them called "Asha" (a tie on the first key)."""
    names = ["Asha", "Bela", "Asha", "Asha", "Chitra", "Asha", "Asha"]
    return [AgentProfileFactory(full_name=name) for name in names]


def test_pages_follow_the_order_through_ties_every_row_once(namesakes):
    keyset = Keyset("test.names", ["full_name", "pk"], size=2)
    pages = _walk_forward(keyset, AgentProfile.objects.all())
    expected = list(AgentProfile.objects.order_by("full_name", "pk").values_list("pk", flat=True))
    assert [pk for page in pages for pk in page] == expected
    assert [len(page) for page in pages] == [2, 2, 2, 1]


def test_previous_pages_come_back_the_same_way(namesakes):
    keyset = Keyset("test.names", ["-full_name", "-pk"], size=3)
    rows = AgentProfile.objects.all()
    first = keyset.page(rows)
    second = keyset.page(rows, cursor=first.next_cursor)
    third = keyset.page(rows, cursor=second.next_cursor)
    assert not third.has_next and third.has_previous
    back = keyset.page(rows, cursor=third.previous_cursor)
    assert [a.pk for a in back] == [a.pk for a in second]
    again = keyset.page(rows, cursor=back.previous_cursor)
    assert [a.pk for a in again] == [a.pk for a in first]
    assert not again.has_previous and again.has_next


def test_a_nullable_key_puts_its_nulls_where_it_says():
    now = timezone.now()
    waited = [AgentProfileFactory(submitted_at=now - dt.timedelta(days=d)) for d in (3, 1, 2)]
    never = [AgentProfileFactory(submitted_at=None) for _ in range(3)]
    keyset = Keyset("test.queue", [F("submitted_at").asc(nulls_last=True), "pk"], size=2)
    pages = _walk_forward(keyset, AgentProfile.objects.all())
    flat = [pk for page in pages for pk in page]
    assert flat == [waited[0].pk, waited[2].pk, waited[1].pk, *sorted(a.pk for a in never)]
    # And back from the last page, through the nulls into the dates.
    rows = AgentProfile.objects.all()
    last = keyset.page(
        rows, cursor=keyset.page(rows, cursor=keyset.page(rows).next_cursor).next_cursor
    )
    back = keyset.page(rows, cursor=last.previous_cursor)
    assert [a.pk for a in back] == flat[2:4]


def test_an_empty_list_is_one_page_without_links():
    page = Keyset("test.none", ["pk"]).page(AgentProfile.objects.all())
    assert (list(page), page.has_next, page.has_previous) == ([], False, False)


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "",  # empty: the first page
        signing.Signer(salt="common.keyset:another.list").sign_object(["next", [1]]),
        signing.Signer(salt="common.keyset:test.names").sign_object(["sideways", ["A", 1]]),
        signing.Signer(salt="common.keyset:test.names").sign_object(["next", ["A"]]),
        signing.Signer(salt="common.keyset:test.names").sign_object(["next", ["A", "x"]]),
        "x" * 5000,
    ],
)
def test_a_cursor_the_list_did_not_make_is_refused(namesakes, cursor):
    keyset = Keyset("test.names", ["full_name", "pk"], size=2)
    if cursor == "":
        assert len(keyset.page(AgentProfile.objects.all(), cursor=cursor)) == 2
        return
    with pytest.raises(InvalidCursor):
        keyset.page(AgentProfile.objects.all(), cursor=cursor)


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("fiona", "finance:payouts"),
        ("fiona", "finance:invoices"),
        ("fiona", "finance_agents:tds"),
        ("victor", "vetting:home"),
        ("carol", "calls:history"),
        ("carol", "invoices:list"),
        ("alice", "earnings:statements"),
        ("alice", "earnings:home"),
    ],
)
def test_a_tampered_cursor_on_a_page_is_a_400(client, request, persona, url):
    client.force_login(request.getfixturevalue(persona))
    if persona == "carol":
        request.getfixturevalue("acme")
    response = client.get(reverse(url), {"cursor": "eyJhIjoxfQ:tampered", "q": "x y"})
    assert response.status_code == 400
    page = response.content.decode()  # the site's page, saying why, with the way back
    assert "start from the first page" in page
    assert f'href="{reverse(url)}?q=x+y"' in page  # the same list and filters, no cursor
    assert "<nav" in page  # the layout, with the role's navigation


def test_a_cursor_past_the_end_shows_an_empty_page_and_the_way_back(client, fiona):
    cursor = Keyset("finance.payouts", ["-run_id", "pk"]).signer.sign_object(["next", [1, 1]])
    client.force_login(fiona)
    response = client.get(reverse("finance:payouts"), {"cursor": cursor})
    assert response.status_code == 200
    assert "No payouts match." in response.content.decode()
    assert "Back to the first page" in response.content.decode()
