"""The firm's Calls page: a period picker that refuses bad input with a message, each line's
service level against its own target (kept for past days when the target changes), and the
half-hour history from the roll-ups equal to the calls'."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import PhoneLine
from routing.analytics import Period, figures_for, per_line, per_slot
from routing.forms import PeriodForm
from routing.models import CallDay, CallHalfHour
from routing.rollups import callday_rollup
from tests.factories import AgentProfileFactory, PhoneLineFactory
from tests.routing.analytics_data import at, make_call

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _period(**params):
    form = PeriodForm(params)
    return form.cleaned_data["chosen"] if form.is_valid() else form.errors


@pytest.mark.parametrize(
    ("params", "first", "last"),
    [
        ({"period": "today"}, TODAY, TODAY),
        ({"period": "7d"}, TODAY - dt.timedelta(days=6), TODAY),
        ({"period": "month"}, TODAY.replace(day=1), TODAY),
        ({}, TODAY - dt.timedelta(days=6), TODAY),
        (
            {"period": "range", "start": "2026-01-05", "end": "2026-01-05"},
            dt.date(2026, 1, 5),
            dt.date(2026, 1, 5),
        ),
        ({"start": "2026-01-05", "end": "2026-02-04"}, dt.date(2026, 1, 5), dt.date(2026, 2, 4)),
    ],
)
def test_the_period_picker_reads_each_choice(params, first, last):
    if first > TODAY:
        pytest.skip("the range lies in the future on this clock")
    assert _period(**params) == Period(first, last)


@pytest.mark.parametrize(
    "params",
    [
        {"period": "range", "start": "2026-02-01", "end": "2026-01-01"},  # backwards
        {"period": "range", "start": "2026-01-01"},  # no end
        {"period": "range", "start": "2020-01-01", "end": "2021-06-01"},  # over 366 days
        {"period": "range", "start": "yesterday", "end": "2026-01-01"},
        {"period": "range", "start": "2000-01-01", "end": "9999-12-31"},  # the future
        {"period": "forever"},
    ],
)
def test_the_period_picker_refuses_bad_input_with_a_message_not_a_500(client, carol, params):
    assert isinstance(_period(**params), dict)  # errors
    client.force_login(carol)
    response = client.get(reverse("calls:list"), params)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["period"] == Period(TODAY - dt.timedelta(days=6), TODAY)


@pytest.fixture
def lines(acme):
    quick = PhoneLineFactory(firm=acme, name="Quick", service_level_target_seconds=10)
    patient = PhoneLineFactory(firm=acme, name="Patient", service_level_target_seconds=30)
    PhoneLine.objects.update(created_at=timezone.now() - dt.timedelta(days=30))
    agent = AgentProfileFactory()
    for line in (quick, patient):
        for days_ago in (0, 2):
            make_call(line, at(days_ago, 9, 10), agent=agent, wait=5)
            make_call(line, at(days_ago, 9, 40), agent=agent, wait=20)
            make_call(line, at(days_ago, 9, 50), "abandoned")
            make_call(line, at(days_ago, 23, 45), agent=agent, wait=40)
    return quick, patient


def _within(acme, days_ago):
    day = TODAY - dt.timedelta(days=days_ago)
    rows = per_line(figures_for(period=Period(day, day), firm=acme))
    return {line_id: (r["within_target"], r["later"], r["targets"]) for line_id, r in rows.items()}


def test_each_line_counts_against_its_own_target_today_and_rolled_up(acme, lines):
    quick, patient = lines
    expected = {quick.pk: (1, 2, [10]), patient.pk: (2, 1, [30])}  # 20 s: late on Quick only
    assert _within(acme, 0) == expected  # today, from the calls
    assert _within(acme, 2) == expected  # not rolled up yet: from the calls
    callday_rollup(day=TODAY - dt.timedelta(days=2))
    assert _within(acme, 2) == expected  # from the roll-ups
    assert set(CallDay.objects.values_list("line_id", "target_seconds")) >= {
        (quick.pk, 10),
        (patient.pk, 30),
    }


def test_a_changed_target_applies_from_today_and_past_days_keep_theirs(client, carol, acme, lines):
    quick, _ = lines
    day = TODAY - dt.timedelta(days=2)
    callday_rollup(day=day)
    PhoneLine.objects.filter(pk=quick.pk).update(service_level_target_seconds=30)
    callday_rollup(day=day)  # a late re-roll-up keeps the day's target
    assert _within(acme, 2)[quick.pk] == (1, 2, [10])
    assert _within(acme, 0)[quick.pk] == (2, 1, [30])
    client.force_login(carol)
    page = client.get(reverse("calls:list"), {"period": "7d"})
    assert "10–30 s" in page.content.decode()
    callday_rollup(day=day, retarget=True)  # the deliberate correction
    assert _within(acme, 2)[quick.pk] == (2, 1, [30])


def test_the_half_hours_from_the_roll_ups_equal_the_calls(acme, lines):
    day = TODAY - dt.timedelta(days=2)
    period = Period(day, day)
    raw = per_slot(figures_for(period=period, firm=acme))
    callday_rollup(day=day)
    assert CallHalfHour.objects.filter(day=day).count() == 6  # 3 slots x 2 lines
    rolled = per_slot(figures_for(period=period, firm=acme))
    assert rolled == raw
    busy = {
        s["label"]: (s["offered"], s["within_target"], s["abandoned"])
        for s in rolled
        if s["offered"]
    }
    assert busy == {"09:00": (2, 2, 0), "09:30": (4, 1, 2), "23:30": (2, 0, 0)}


def _days(first_ago, last_ago):
    return {
        "period": "range",
        "start": TODAY - dt.timedelta(days=first_ago),
        "end": TODAY - dt.timedelta(days=last_ago),
    }


# The count depends on which sources the period reads, never on its days or lines: 3 for the
# session, user and membership, 1 for the rolled days, the calls' 5 (targets, then line-days,
# half-hours, decisions, agent-days) when a day is not rolled up, the roll-ups' 4 when one is,
# then the lines and their languages, the engaged agents and their names, the quality and survey
# GROUP BYs (issue 16) and the bell's unread count.
@pytest.mark.parametrize(
    ("params", "queries"),
    [
        (_days(1, 0), 16),  # today and yesterday, from the calls alone
        (_days(5, 2), 15),  # the rolled days alone
        (_days(5, 0), 20),  # both
    ],
    ids=["calls", "roll-ups", "both"],
)
def test_the_page_reads_in_a_fixed_number_of_queries(
    client, carol, acme, lines, django_assert_num_queries, params, queries
):
    for days_ago in (2, 3, 4, 5):
        callday_rollup(day=TODAY - dt.timedelta(days=days_ago))
    client.force_login(carol)
    client.get(reverse("calls:list"))  # warm the session
    with django_assert_num_queries(queries):
        response = client.get(reverse("calls:list"), params)
    assert response.status_code == 200
    text = response.content.decode()
    for words in (
        "Answered within target",
        "Answered later",
        "Abandoned",
        "Not answered (voicemail, failed)",
        "The chart's figures as a table",
    ):
        assert words in text
    assert "chart-calls-by-half-hour" in text and "{%" not in text
    # A third line answered by three more agents on every day: the same count.
    extra = PhoneLineFactory(firm=acme, name="Extra")
    for agent in AgentProfileFactory.create_batch(3):
        for days_ago in range(6):
            make_call(extra, at(days_ago, 11, 10), agent=agent, wait=3)
    for days_ago in (2, 3, 4, 5):
        callday_rollup(day=TODAY - dt.timedelta(days=days_ago))
    with django_assert_num_queries(queries):
        assert client.get(reverse("calls:list"), params).status_code == 200
