"""An agent with several engagements with one firm: a call is priced at the rate of the one
that covered its line when it was offered, and invoiced under that one's request.

Meera works Acme's Claims helpline on two requests — days (09:00-18:00, 40.00 a call) and
evenings (18:00-23:59, 50.00) — and its Policy desk by day (60.00). The evening engagement
is newer than the day one: a ledger guessing "the newest engagement on the line" prices a
day call at the evening rate.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.ledger import transaction_record
from billing.models import InvoiceLine, SettlementRun
from clients.models import Engagement
from routing.models import Call
from routing.services import call_answered, call_completed_with, call_route, call_start
from tests.billing.factories import last_month, settle
from tests.factories import PhoneLineFactory
from tests.routing.conftest import LANDLINE_MANGALURU, engage, round_the_clock_request
from tests.routing.conftest import routable_agent as agent_of

pytestmark = pytest.mark.django_db
DAY = last_month()  # a day of the firms' period before this one: it can be invoiced

# request title, its hours, client rate, agent rate, line
REQUESTS = [
    ("Claims, days", dt.time(9), dt.time(18), "40.00", "28.00", "claims"),
    ("Claims, evenings", dt.time(18), dt.time(23, 59), "50.00", "35.00", "claims"),
    ("Policy desk, days", dt.time(9), dt.time(18), "60.00", "42.00", "policy"),
]


@pytest.fixture
def lines(acme):
    return {name: PhoneLineFactory(firm=acme, name=name) for name in ("claims", "policy")}


@pytest.fixture
def meera(acme, lines):
    meera = agent_of(None, "meera@example.com")
    for title, starts_at, ends_at, client_rate, agent_rate, line in REQUESTS:
        request = round_the_clock_request(
            acme,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            start_date=DAY - dt.timedelta(days=7),
            end_date=timezone.localdate() + dt.timedelta(days=30),
        )
        engagement = engage(meera, acme, lines=[lines[line]])
        Engagement.objects.filter(pk=engagement.pk).update(
            request=request,
            client_rate=Decimal(client_rate),
            agent_rate=Decimal(agent_rate),
            starts_on=DAY - dt.timedelta(days=7),
        )
    return meera


def answered(line, at: dt.datetime) -> Call:
    """A call on `line` at `at`, routed, answered and ended after two minutes."""
    call = call_start(
        provider="test",
        provider_call_id="CA1",
        to=str(line.number),
        caller=LANDLINE_MANGALURU,
        at=at,
    )
    placement = call_route(call_id=call.pk, at=at)
    if placement.agent is None:
        return placement.call
    call_answered(call_id=call.pk, at=at + dt.timedelta(seconds=5))
    return call_completed_with(call_id=call.pk, duration=120, at=at + dt.timedelta(seconds=125))


CASES = {
    "claims-by-day": ("claims", 10, "Claims, days", "40.00", "28.00"),
    "claims-in-the-evening": ("claims", 19, "Claims, evenings", "50.00", "35.00"),
    "policy-by-day": ("policy", 10, "Policy desk, days", "60.00", "42.00"),
}


@pytest.mark.parametrize(("line", "hour", "title", "client", "agent"), CASES.values(), ids=CASES)
def test_the_call_is_priced_and_invoiced_under_the_engagement_covering_its_line(
    acme, lines, meera, line, hour, title, client, agent
):
    at = timezone.make_aware(dt.datetime.combine(DAY, dt.time(hour)))
    call = answered(lines[line], at)
    covering = Engagement.objects.get(agent=meera, request__title=title)
    assert (call.agent, call.engagement) == (meera, covering)

    row = transaction_record(call=call)
    assert row.engagement == covering
    assert (row.client_amount, row.agent_amount) == (Decimal(client), Decimal(agent))
    settle(SettlementRun.Kind.FIRMS, DAY)
    invoiced = InvoiceLine.objects.filter(invoice__firm=acme, request__isnull=False)
    assert [(x.request.title, x.quantity, x.amount) for x in invoiced] == [
        (title, 1, Decimal(client))
    ]


def test_a_call_no_engagement_covers_is_offered_to_nobody_and_never_billed(lines, meera):
    evening = timezone.make_aware(dt.datetime.combine(DAY, dt.time(19)))
    call = answered(lines["policy"], evening)  # the Policy desk engagement is by day only
    assert (call.status, call.agent, call.engagement) == (Call.Status.QUEUED, None, None)
    assert transaction_record(call=call) is None


def test_a_call_offered_before_routing_recorded_its_engagement_is_priced_by_the_covering_one(
    acme, lines, meera
):
    offered = timezone.make_aware(dt.datetime.combine(DAY, dt.time(17, 58)))
    call = Call.objects.create(  # no engagement recorded; it ended after the day shift
        provider="test",
        provider_call_id="CA-before",
        line=lines["claims"],
        firm=acme,
        domain="insurance",
        language="en",
        status=Call.Status.COMPLETED,
        agent=meera,
        offered_at=offered,
        answered_at=offered + dt.timedelta(seconds=10),
        ended_at=offered + dt.timedelta(minutes=5),
        talk_seconds=290,
    )
    row = transaction_record(call=call)
    assert row.engagement.request.title == "Claims, days"
    assert row.client_amount == Decimal("40.00")
