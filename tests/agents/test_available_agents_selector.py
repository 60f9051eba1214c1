"""The selector routing builds on: who may take a call now for a skill and a language."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from agents.models import AgentLanguage, AgentProfile, AgentProfileQuerySet, AgentSkill
from agents.selectors import _available_template, agents_available_for, agents_available_sql
from agents.services import availability_set
from common.errors import ApplicationError
from tests.factories import AgentProfileFactory

pytestmark = pytest.mark.django_db

IST = ZoneInfo("Asia/Kolkata")
# Wednesday 10:30 in India.
NOW = dt.datetime(2026, 11, 25, 10, 30, tzinfo=IST)
WED = 2


def _ready_agent(email, *, idle_since_minutes=10, **overrides):
    fields = dict(
        status=AgentProfile.Status.VERIFIED,
        duty_status=AgentProfile.Duty.AVAILABLE,
        duty_changed_at=NOW - dt.timedelta(minutes=idle_since_minutes),
    )
    fields.update(overrides)
    agent = AgentProfileFactory(user__email=email, **fields)
    AgentLanguage.objects.create(agent=agent, language="kn", proficiency=5)
    AgentSkill.objects.create(agent=agent, domain="insurance", sub_skill="", level=4, years=20)
    availability_set(agent=agent, windows=[(WED, dt.time(9), dt.time(17))])
    return agent


@pytest.fixture(params=["orm", "sql"])
def form(request):
    """Every case runs against both forms of the selector: the ORM queryset and the SQL
    fragment routing's hot path uses (agents_available_sql)."""
    return request.param


def _ids(form="orm", **kwargs):
    params = {"domain": "insurance", "language": "kn", "at": NOW}
    params.update(kwargs)
    if form == "orm":
        return list(agents_available_for(**params).values_list("user__email", flat=True))
    where, values = agents_available_sql(**params)
    sql = (
        "SELECT u.email FROM agents_agentprofile p JOIN accounts_user u ON u.id = p.user_id"
        f" WHERE {where} ORDER BY p.duty_changed_at, p.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return [row[0] for row in cursor.fetchall()]


def test_it_finds_a_verified_compliant_available_agent_in_hours(form):
    _ready_agent("ok@example.com")
    assert _ids(form) == ["ok@example.com"]


def test_it_orders_the_longest_idle_first(form):
    _ready_agent("recent@example.com", idle_since_minutes=1)
    _ready_agent("longest@example.com", idle_since_minutes=90)
    assert _ids(form) == ["longest@example.com", "recent@example.com"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"status": AgentProfile.Status.IN_REVIEW},
        {"status": AgentProfile.Status.SUSPENDED},
        {"duty_status": AgentProfile.Duty.OFFLINE},
        {"duty_status": AgentProfile.Duty.ON_CALL},
        {"duty_status": AgentProfile.Duty.RESERVED},
        {"duty_status": AgentProfile.Duty.WRAP_UP},
        {"is_compliant": False},
        {"compliant_until": dt.date(2026, 11, 24)},
    ],
)
def test_it_leaves_out_agents_who_may_not_take_a_call(form, overrides):
    _ready_agent("no@example.com", **overrides)
    assert _ids(form) == []


def test_a_check_expiring_today_still_counts_today(form):
    _ready_agent("last-day@example.com", compliant_until=NOW.date())
    assert _ids(form) == ["last-day@example.com"]
    assert _ids(form, at=NOW + dt.timedelta(days=1)) == []


def test_a_new_rule_written_once_reaches_both_forms(form, monkeypatch):
    # The SQL form is rendered from the queryset (agents.selectors._available): a rule added
    # to the ORM alone must reach routing's SQL too. A hand-written copy would fail here.
    compliant_on = AgentProfileQuerySet.compliant_on
    monkeypatch.setattr(
        AgentProfileQuerySet,
        "compliant_on",
        lambda self, day: compliant_on(self, day).exclude(full_name="Nameless"),
    )
    _available_template.cache_clear()
    try:
        _ready_agent("named@example.com")
        _ready_agent("nameless@example.com", full_name="Nameless")
        assert _ids(form) == ["named@example.com"]
    finally:
        monkeypatch.undo()
        _available_template.cache_clear()


def test_it_needs_the_language_and_the_skill(form):
    _ready_agent("kannada-insurance@example.com")
    assert _ids(form, language="ta") == []
    assert _ids(form, domain="banking") == []
    # the general skill counts for a sub-skill
    assert _ids(form, sub_skill="claims") == ["kannada-insurance@example.com"]


def test_a_sub_skill_matches_itself_or_the_domain_in_general(form):
    agent = _ready_agent("claims@example.com")
    AgentSkill.objects.filter(agent=agent).update(sub_skill="claims")
    assert _ids(form, sub_skill="claims") == ["claims@example.com"]
    assert _ids(form, sub_skill="motor") == []
    assert _ids(form) == ["claims@example.com"]  # the line asks for the domain in general


def test_it_respects_the_weekly_window_in_the_agents_time_zone(form):
    _ready_agent("nine-to-five@example.com")
    assert _ids(form, at=NOW.replace(hour=8, minute=59)) == []
    assert _ids(form, at=NOW.replace(hour=9, minute=0)) == ["nine-to-five@example.com"]
    assert _ids(form, at=NOW.replace(hour=17, minute=0)) == []
    assert _ids(form, at=NOW + dt.timedelta(days=1)) == []  # Thursday: no window


def test_a_window_that_wraps_the_utc_week_still_matches(form):
    # Monday 00:00-06:00 IST is Sunday 18:30 UTC to Monday 00:30 UTC: the window crosses
    # the start of the UTC week and is stored as two rows; both sides must match.
    agent = _ready_agent("early@example.com")
    availability_set(agent=agent, windows=[(0, dt.time(0, 0), dt.time(6, 0))])
    monday_3am = dt.datetime(2026, 11, 30, 3, 0, tzinfo=IST)  # Sunday 21:30 UTC
    monday_5_50 = dt.datetime(2026, 11, 30, 5, 50, tzinfo=IST)  # Monday 00:20 UTC
    assert _ids(form, at=monday_3am) == ["early@example.com"]
    assert _ids(form, at=monday_5_50) == ["early@example.com"]
    assert agent.availability.count() == 2


def test_a_window_must_end_after_it_starts():
    agent = AgentProfileFactory()
    with pytest.raises(ApplicationError, match="end time must be after the start time"):
        availability_set(agent=agent, windows=[(WED, dt.time(17), dt.time(9))])
    assert not agent.availability.exists()


def test_it_answers_in_a_fixed_number_of_queries(django_assert_num_queries):
    for i in range(5):
        _ready_agent(f"a{i}@example.com")
    with django_assert_num_queries(1):
        assert len(list(agents_available_for(domain="insurance", language="kn", at=NOW))) == 5
