"""`covering_by_zone` (each zone's clock read once, for email routing's ranking of every
engaged agent) says what `covering` (the row's own clock, in SQL) says, case by case: the
cases calls are routed by (tests/routing/test_calls_go_where_the_firm_approved.py), and two
requests in different zones on one line. Runs on SQLite and PostgreSQL."""

import datetime as dt

import pytest

from clients.models import Engagement
from tests.factories import PhoneLineFactory
from tests.routing.conftest import round_the_clock_request
from tests.routing.conftest import routable_agent as agent_of
from tests.routing.test_calls_go_where_the_firm_approved import (
    ALL_DAY,
    CASES,
    ENGAGEMENT,
    NEW_YORK,
    REQUEST,
    _days,
    engaged,
    ist,
)

pytestmark = pytest.mark.django_db


def both_forms(line, at) -> tuple[list[int], list[int]]:
    rows = Engagement.objects.order_by("pk").values_list("pk", flat=True)
    return (
        list(rows.filter(pk__in=Engagement.objects.covering(line=line, at=at).values("pk"))),
        list(
            rows.filter(pk__in=Engagement.objects.covering_by_zone(line=line, at=at).values("pk"))
        ),
    )


@pytest.mark.parametrize(
    ("on", "request_fields", "dates", "at", "reason"), CASES.values(), ids=CASES
)
def test_both_forms_agree_on_every_routing_case(acme, on, request_fields, dates, at, reason):
    lines = {"claims": PhoneLineFactory(firm=acme), "policy": PhoneLineFactory(firm=acme)}
    meera = agent_of(None, "meera@example.com")
    request = round_the_clock_request(acme, **_days(REQUEST | request_fields))
    engagement = engaged(
        meera, acme, lines=[lines[on]], request=request, **_days(ENGAGEMENT | dates)
    )

    by_row, by_zone = both_forms(lines["claims"], at)

    assert by_zone == by_row == ([] if reason else [engagement.pk])


def test_two_zones_on_one_line_are_each_read_on_their_own_clock(acme):
    claims = PhoneLineFactory(firm=acme)
    india = round_the_clock_request(acme, **_days(REQUEST))
    new_york = round_the_clock_request(acme, **_days(REQUEST | NEW_YORK | ALL_DAY))
    meera = engaged(
        agent_of(None, "meera@example.com"),
        acme,
        lines=[claims],
        request=india,
        **_days(ENGAGEMENT),
    )
    priya = engaged(
        agent_of(None, "priya@example.com"),
        acme,
        lines=[claims],
        request=new_york,
        **_days(ENGAGEMENT),
    )

    # India works 09:00-18:00, New York all day, both Monday to Friday. Monday 10:00 in
    # India is Sunday night in New York; 20:00 is 09:30 there; Tuesday 10:00 is Monday there.
    assert both_forms(claims, ist(0, 10)) == ([meera.pk], [meera.pk])
    assert both_forms(claims, ist(0, 20)) == ([priya.pk], [priya.pk])
    assert both_forms(claims, ist(1, 10)) == ([meera.pk, priya.pk], [meera.pk, priya.pk])
    assert both_forms(claims, ist(5, 20)) == ([], [])  # Saturday in both zones


def test_a_line_nobody_is_engaged_on_is_covered_by_nobody(acme):
    claims = PhoneLineFactory(firm=acme)
    at = dt.datetime.now(dt.UTC)
    assert both_forms(claims, at) == ([], [])
