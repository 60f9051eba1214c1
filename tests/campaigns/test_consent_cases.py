"""The consent check, case by case: the firm's do-not-call list (every source), the national
registry (full and category blocks, service calls exempt, no or a stale extract), and calling
hours in the contact's time (India, the UK across daylight saving, Australia's many zones, a
US toll-free number whose zone cannot be told). Each case says allowed or refused, by which
rule, whether for good or until when, and what the proof records."""

import datetime as dt
from dataclasses import dataclass, field

import pytest

from campaigns.consent import consent_check
from campaigns.models import Campaign, SuppressionEntry, category_bit
from tests.campaigns.conftest import contact_list, registry, suppress
from tests.factories import CampaignFactory

UTC = dt.UTC
INDIA = "+919845012345"
FULLY_BLOCKED = "+919845000001"
BLOCKS_BANKING = "+919845000002"
US_TOLL_FREE = "+18005550123"
AUSTRALIAN_MOBILE = "+61412345678"
LONDON = "+442079460000"


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


WEDNESDAY_NOON_IST = utc(2026, 12, 2, 6, 30)  # 12:00 in India, a Wednesday


@dataclass
class Case:
    id: str
    number: str = INDIA
    at: dt.datetime = WEDNESDAY_NOON_IST
    campaign: dict = field(default_factory=dict)
    time_zone: str = ""
    registry: str = "current"  # current | none | stale
    suppressed: str = ""  # a SuppressionEntry source
    allowed: bool = False
    rule: str = ""
    final: bool = False
    retry_at: dt.datetime | None = None
    proof: dict = field(default_factory=dict)  # dotted path in checks -> expected value


SERVICE = {"purpose": "service"}
REAL_ESTATE = {"category": "2"}
S = SuppressionEntry.Source

CASES = [
    # --- The firm's do-not-call list: every source, service or promotional, for good.
    *[
        Case(
            f"suppressed by {source.label} ({purpose})",
            suppressed=source,
            campaign={"purpose": purpose},
            rule="suppression",
            final=True,
            proof={"suppression.listed": True, "suppression.source": source.value},
        )
        for source in (S.UPLOAD, S.ADDED, S.DISPOSITION, S.OPT_OUT)
        for purpose in ("promotional", "service")
    ],
    # --- The national registry.
    Case(
        "a promotional call to a fully blocked number is never placed",
        number=FULLY_BLOCKED,
        rule="registry",
        final=True,
        proof={"registry.result": "fully blocked", "registry.applied": True},
    ),
    Case(
        "a promotional call in a category the number blocks is never placed",
        number=BLOCKS_BANKING,
        rule="registry",
        final=True,
        proof={"registry.result": "blocks categories 1"},
    ),
    Case(
        "a promotional call in a category the number does not block is placed",
        number=BLOCKS_BANKING,
        campaign=REAL_ESTATE,
        allowed=True,
        proof={"registry.result": "blocks categories 1", "category": "2"},
    ),
    Case(
        "a service call is not subject to the registry, even to a fully blocked number",
        number=FULLY_BLOCKED,
        campaign=SERVICE,
        allowed=True,
        proof={"registry.applied": False},
    ),
    Case(
        "a promotional call waits for a registry extract when there is none",
        registry="none",
        rule="registry",
        retry_at=WEDNESDAY_NOON_IST + dt.timedelta(hours=1),
        proof={"registry.version": None, "registry.applied": True},
    ),
    Case(
        "a promotional call waits when the registry extract is stale",
        registry="stale",
        rule="registry",
        retry_at=WEDNESDAY_NOON_IST + dt.timedelta(hours=1),
        proof={"registry.version": None},
    ),
    Case(
        "a service call needs no registry extract",
        registry="none",
        campaign=SERVICE,
        allowed=True,
        proof={"registry.applied": False, "registry.version": None},
    ),
    Case(
        "a number not on the registry is called, and the proof says so",
        allowed=True,
        proof={
            "registry.result": "not listed",
            "hours.window": "09:00–21:00",
            "hours.zones": ["Asia/Kolkata"],
            "hours.zone_given": False,
            "hours.local_times": {"Asia/Kolkata": "2026-12-02 12:00 Wed"},
            "verdict": "allowed",
        },
    ),
    # --- Calling hours in India (UTC+05:30).
    Case(
        "08:59 in India is too early for a promotional call",
        at=utc(2026, 12, 2, 3, 29),
        rule="hours",
        retry_at=utc(2026, 12, 2, 3, 30),
        proof={
            "hours.inside": False,
            "hours.local_times": {"Asia/Kolkata": "2026-12-02 08:59 Wed"},
        },
    ),
    Case("09:00 in India is allowed", at=utc(2026, 12, 2, 3, 30), allowed=True),
    Case("20:59 in India is allowed", at=utc(2026, 12, 2, 15, 29), allowed=True),
    Case(
        "21:00 in India is refused until 09:00 the next day",
        at=utc(2026, 12, 2, 15, 30),
        rule="hours",
        retry_at=utc(2026, 12, 3, 3, 30),
    ),
    Case(
        "a campaign's narrower window is kept",
        campaign={"window_start": dt.time(10), "window_end": dt.time(18)},
        at=utc(2026, 12, 2, 4, 0),  # 09:30 in India
        rule="hours",
        retry_at=utc(2026, 12, 2, 4, 30),
        proof={"hours.window": "10:00–18:00"},
    ),
    Case(
        "an excluded weekday is never called: the next day instead",
        campaign={"excluded_weekdays": [2]},
        rule="hours",
        retry_at=utc(2026, 12, 3, 3, 30),
    ),
    Case(
        "an excluded date is never called: the next day instead",
        campaign={"excluded_dates": ["2026-12-02"]},
        rule="hours",
        retry_at=utc(2026, 12, 3, 3, 30),
    ),
    Case(
        "a service call keeps the campaign's own wider window",
        campaign={**SERVICE, "window_start": dt.time(8), "window_end": dt.time(22)},
        at=utc(2026, 12, 2, 3, 0),  # 08:30 in India
        allowed=True,
    ),
    Case(
        "a day after the campaign's last day is refused, with no time to retry",
        campaign={"ends_on": dt.date(2026, 12, 1)},
        rule="hours",
        retry_at=None,
    ),
    # --- A US toll-free number of unknown zone: its zones run from Guam (+10:00) round to
    # St John's (-03:30), 10 h 30 min of local clocks apart across the date line. Inside
    # 09:00-21:00 they share 23:00-00:30 UTC; inside a narrower window, no hour at all.
    Case(
        "a US toll-free number of unknown zone waits for the hour all its zones share",
        number=US_TOLL_FREE,
        at=utc(2026, 12, 2, 17, 0),
        rule="hours",
        retry_at=utc(2026, 12, 2, 23, 0),
        proof={"hours.zone_given": False, "hours.inside": False},
    ),
    Case(
        "a US toll-free number of unknown zone is called at 09:00 in Guam, 19:30 in St John's",
        number=US_TOLL_FREE,
        at=utc(2026, 12, 2, 23, 0),
        allowed=True,
        proof={
            "hours.local_times.Pacific/Guam": "2026-12-03 09:00 Thu",
            "hours.local_times.America/St_Johns": "2026-12-02 19:30 Wed",
        },
    ),
    Case(
        "a US toll-free number of unknown zone is never called in a 10:00-18:00 window",
        number=US_TOLL_FREE,
        campaign={"window_start": dt.time(10), "window_end": dt.time(18)},
        at=utc(2026, 12, 2, 17, 0),
        rule="hours",
        retry_at=None,
    ),
    Case(
        "a US toll-free number in a known zone is called in that zone's hours",
        number=US_TOLL_FREE,
        time_zone="America/New_York",
        at=utc(2026, 12, 2, 14, 0),  # 09:00 in New York (EST)
        allowed=True,
        proof={"hours.zones": ["America/New_York"], "hours.zone_given": True},
    ),
    Case(
        "before 09:00 in the contact's given zone waits for it",
        number=US_TOLL_FREE,
        time_zone="America/New_York",
        at=utc(2026, 12, 2, 13, 59),
        rule="hours",
        retry_at=utc(2026, 12, 2, 14, 0),
    ),
    # --- An Australian mobile: zones from the Cocos Islands (+06:30) to Lord Howe (+11:00 in
    # December): only the hours common to all, 02:30-10:00 UTC.
    Case(
        "an Australian mobile waits until 09:00 on the Cocos Islands",
        number=AUSTRALIAN_MOBILE,
        at=utc(2026, 12, 2, 2, 29),
        rule="hours",
        retry_at=utc(2026, 12, 2, 2, 30),
    ),
    Case(
        "an Australian mobile is called once it is 09:00 in all its zones",
        number=AUSTRALIAN_MOBILE,
        at=utc(2026, 12, 2, 2, 30),
        allowed=True,
        proof={"hours.local_times.Australia/Lord_Howe": "2026-12-02 13:30 Wed"},
    ),
    Case(
        "an Australian mobile is refused once it is 21:00 on Lord Howe Island",
        number=AUSTRALIAN_MOBILE,
        at=utc(2026, 12, 2, 10, 0),
        rule="hours",
        retry_at=utc(2026, 12, 3, 2, 30),
    ),
    # --- The UK, on both sides of daylight saving.
    Case(
        "08:00 in London in winter (GMT) is too early",
        number=LONDON,
        at=utc(2026, 12, 2, 8, 0),
        rule="hours",
        retry_at=utc(2026, 12, 2, 9, 0),
    ),
    Case(
        "08:00 UTC is 09:00 in London in summer (BST): allowed",
        number=LONDON,
        at=utc(2026, 7, 1, 8, 0),
        allowed=True,
        proof={"hours.local_times": {"Europe/London": "2026-07-01 09:00 Wed"}},
    ),
    Case(
        "the retry after a Saturday evening in London is 09:00 GMT, after the clocks go back",
        number=LONDON,
        at=utc(2026, 10, 24, 20, 30),  # 21:30 BST; the clocks go back at 01:00 UTC
        rule="hours",
        retry_at=utc(2026, 10, 25, 9, 0),
    ),
]


def _dig(checks: dict, path: str):
    value = checks
    for part in path.split("."):  # zone names hold no dots
        value = value[part]
    return value


@pytest.fixture
def lists(acme):
    return [contact_list(acme, "Customers", [INDIA])]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_the_consent_check_decides_each_case_as_the_rules_say(case, acme, lists):
    if case.registry != "none":
        registry(
            (FULLY_BLOCKED, True, 0),
            (BLOCKS_BANKING, False, category_bit("1")),
            age_days=31 if case.registry == "stale" else 1,
            at=case.at,
        )
    if case.suppressed:
        suppress(acme, case.number, case.suppressed)
    fields = {
        "starts_on": dt.date(2026, 1, 1),
        "ends_on": dt.date(2026, 12, 31),
        "purpose": Campaign.Purpose.PROMOTIONAL,
        "category": "1",
    }
    campaign = CampaignFactory(firm=acme, **(fields | case.campaign))

    verdict = consent_check(
        campaign=campaign, number=case.number, time_zone=case.time_zone, lists=lists, at=case.at
    )

    assert verdict.allowed is case.allowed, verdict.reason
    assert verdict.rule == case.rule
    assert verdict.final is case.final
    assert verdict.retry_at == case.retry_at
    checks = verdict.checks
    assert checks["number"] == case.number
    assert checks["campaign"] == campaign.pk
    assert checks["purpose"] == campaign.purpose
    assert checks["category"] == campaign.category
    assert checks["lists"] == [{"id": lists[0].pk, "name": "Customers", "version": 1}]
    assert checks["rule"] == case.rule
    assert checks["verdict"] == ("allowed" if case.allowed else f"refused: {verdict.reason}")
    refusing = [r for r in checks["rules"] if not r["passed"]]
    assert [r["rule"] for r in refusing] == ([] if case.allowed else [case.rule])
    for path, expected in case.proof.items():
        assert _dig(checks, path) == expected, path
