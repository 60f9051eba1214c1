"""Daily roll-ups of the calls (routing.rollups): a rolled-up day says what the calls say, by
the rules of the raw selectors; rolling up again changes nothing (or what changed); missing
days are filled; the firm's Calls page shows the same figures either way, its own only."""

import datetime as dt
import itertools

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from clients.models import PhoneLine
from routing.analytics import Period, figures_for, per_day
from routing.models import Call, CallDay
from routing.rollups import callday_rollup, callday_sweep, days_missing
from routing.selectors import calls_by_day, day_bounds, service_level
from routing.tasks import calldays_sweep_task
from tests.factories import AgentProfileFactory, PhoneLineFactory

pytestmark = pytest.mark.django_db
_ids = itertools.count(1)
TODAY = timezone.localdate()
SERVICE_LEVEL_TARGET_SECONDS = 20  # the lines' default target


def _call(line, days_ago: int, status: str = "completed", *, wait=10, talk=60, hour=12):
    """A call of `line` at `hour` local time `days_ago` days back: queued, then answered after
    `wait` seconds (when answered), talking `talk` seconds."""
    at = timezone.make_aware(
        dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(hour))
    )
    answered = status == "completed"
    queued = None if status == "after_hours" else at
    call = Call.objects.create(
        provider="twilio",
        provider_call_id=f"CA-roll-{next(_ids)}",
        line=line,
        firm_id=line.firm_id,
        domain=line.domain,
        status=status,
        agent=AgentProfileFactory() if answered else None,
        queued_at=queued,
        answered_at=at + dt.timedelta(seconds=wait) if answered else None,
        ended_at=at + dt.timedelta(seconds=wait + talk) if status in Call.ENDED else None,
        talk_seconds=talk if answered else None,
    )
    Call.objects.filter(pk=call.pk).update(created_at=at)  # auto_now_add: set the day
    return call


@pytest.fixture
def lines(acme, globex):
    """Acme's two lines and globex's one, all open for the last month."""
    lines = {
        "claims": PhoneLineFactory(firm=acme, name="Claims"),
        "sales": PhoneLineFactory(firm=acme, name="Sales"),
        "globex": PhoneLineFactory(firm=globex, name="Globex support"),
    }
    PhoneLine.objects.update(created_at=timezone.now() - dt.timedelta(days=30))
    return lines


@pytest.fixture
def history(lines):
    """Three past days and today on acme's two lines, and a day of globex's."""
    claims, sales = lines["claims"], lines["sales"]
    for days_ago in (0, 2, 3):
        _call(claims, days_ago, wait=5)
        _call(claims, days_ago, wait=SERVICE_LEVEL_TARGET_SECONDS)  # on the target: within
        _call(claims, days_ago, wait=SERVICE_LEVEL_TARGET_SECONDS + 1)  # just past it
        _call(sales, days_ago, "abandoned")
        _call(sales, days_ago, "after_hours")
    _call(sales, 2, talk=300, wait=40)
    _call(lines["globex"], 2, wait=3)
    _call(lines["globex"], 2, "abandoned")
    return lines


def _raw_day(line, day):
    start, end = day_bounds(day)
    return Call.objects.filter(line=line, created_at__gte=start, created_at__lt=end)


def test_a_rolled_up_day_says_what_the_raw_selectors_say(history):
    day = TODAY - dt.timedelta(days=2)
    callday_rollup(day=day)
    for line in history.values():
        row = CallDay.objects.get(line=line, day=day)
        sl = service_level(_raw_day(line, day), target_seconds=SERVICE_LEVEL_TARGET_SECONDS)
        (by_day,) = calls_by_day(_raw_day(line, day))
        assert (row.offered, row.waited, row.within_target, row.abandoned) == (
            sl["total"],
            sl["answered"],
            sl["within_target"],
            sl["abandoned"],
        )
        assert row.wait_seconds_sum / row.waited == pytest.approx(sl["asa_seconds"])
        assert (row.calls, row.answered) == (by_day["total"], by_day["answered"])
        assert row.talk_seconds_sum / row.talked == pytest.approx(by_day["talk"])
        assert row.firm_id == line.firm_id and row.target_seconds == SERVICE_LEVEL_TARGET_SECONDS
    claims = CallDay.objects.get(line=history["claims"], day=day)
    assert (claims.waited, claims.within_target) == (3, 2)  # 5 s and 20 s within, 21 s not


def test_rolling_up_a_day_again_changes_only_what_the_calls_changed(history):
    day = TODAY - dt.timedelta(days=3)
    callday_rollup(day=day)
    before = list(CallDay.objects.order_by("line").values("line", "calls", "abandoned"))
    callday_rollup(day=day)
    assert list(CallDay.objects.order_by("line").values("line", "calls", "abandoned")) == before
    # A late report: one of the day's answered calls turns out abandoned.
    late = _raw_day(history["claims"], day).filter(status="completed").first()
    Call.objects.filter(pk=late.pk).update(
        status="abandoned", answered_at=None, talk_seconds=None, agent=None
    )
    callday_rollup(day=day)
    row = CallDay.objects.get(line=history["claims"], day=day)
    assert (row.abandoned, row.answered, row.calls) == (1, 2, 3)
    assert CallDay.objects.filter(day=day).count() == 3  # one row a line, never two


def test_a_day_without_calls_is_rolled_up_as_zeros(lines):
    callday_rollup(day=TODAY - dt.timedelta(days=1))
    rows = CallDay.objects.filter(day=TODAY - dt.timedelta(days=1))
    assert rows.count() == 3 and {r.calls for r in rows} == {0}


def test_today_is_never_rolled_up(lines):
    with pytest.raises(ValueError, match="completed day"):
        callday_rollup(day=TODAY)


def test_the_sweep_rolls_up_yesterday_and_fills_the_missing_days(history):
    assert days_missing(before=TODAY, limit=10) == [TODAY - dt.timedelta(days=d) for d in (3, 2)]
    # In-process (`apply`): with a broker, `delay` would send it to a worker that cannot see
    # this test's uncommitted calls (and the task keeps no result).
    done = calldays_sweep_task.apply().get()
    assert done == 3  # yesterday, then the two days with calls
    assert set(CallDay.objects.values_list("day", flat=True)) == {
        TODAY - dt.timedelta(days=d) for d in (1, 2, 3)
    }
    assert days_missing(before=TODAY, limit=10) == []
    assert callday_sweep() == [TODAY - dt.timedelta(days=1)]  # nothing else left to fill


def test_the_sweep_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["routing-calldays-sweep"]
    assert entry["task"] == calldays_sweep_task.name


def _by_day(firm, first_day):
    period = Period(first_day, TODAY)
    return [
        {k: d[k] for k in ("day", "calls", "answered", "abandoned")}
        for d in per_day(figures_for(period=period, firm=firm))
        if d["calls"]
    ]


def test_the_roll_up_path_gives_the_raw_paths_figures(acme, history):
    first_day = TODAY - dt.timedelta(days=13)
    raw = [
        {
            "day": d["day"],
            "calls": d["total"],
            "answered": d["answered"],
            "abandoned": d["abandoned"],
        }
        for d in calls_by_day(
            Call.objects.filter(firm=acme, created_at__gte=day_bounds(first_day)[0])
        )
    ]
    assert _by_day(acme, first_day) == raw  # nothing rolled up yet
    callday_sweep()
    assert CallDay.objects.filter(firm=acme).exists()
    assert _by_day(acme, first_day) == raw  # roll-ups + today
    assert [d["calls"] for d in raw] == [5, 6, 5]


def test_the_firms_calls_page_shows_the_same_figures_from_the_roll_ups(client, carol, history):
    client.force_login(carol)
    month = {"period": "range", "start": TODAY - dt.timedelta(days=13), "end": TODAY}
    before = client.get(reverse("calls:list"), month).context
    callday_sweep()
    after = client.get(reverse("calls:list"), month).context
    for name in ("day_chart", "slot_chart", "total", "agents"):
        assert after[name] == before[name], name
    offered = [sum(s["data"][i] for s in after["day_chart"]["series"]) for i in range(14)]
    assert [n for n in offered if n] == [4, 5, 4]  # acme's answered + abandoned: not globex's


def test_a_firms_cursor_shows_none_of_another_firms_calls(client, carol, dave, history):
    for _ in range(60):  # more than a page of acme's
        _call(history["claims"], 1)
    client.force_login(carol)
    page = client.get(reverse("calls:history")).context["page"]
    assert page.has_next
    client.force_login(dave)
    response = client.get(reverse("calls:history"), {"cursor": page.next_cursor})
    assert response.status_code == 200
    shown = {c.firm_id for c in response.context["page"]}
    assert shown <= {history["globex"].firm_id}
    acme_ids = set(
        Call.objects.filter(firm=carol.firm_membership.firm).values_list("pk", flat=True)
    )
    assert not acme_ids & {c.pk for c in response.context["page"]}
