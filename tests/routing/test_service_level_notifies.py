"""A line's day below its service-level target tells that firm's own users, once per line and
day, from the nightly roll-up sweep; a day at target, a day without offered calls and another
firm's lines tell nobody."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Notification
from routing import rollups
from routing.models import CallDay
from routing.notices import service_level_alerts
from tests.factories import PhoneLineFactory

pytestmark = pytest.mark.django_db
YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


def _day(line, offered, within, day=YESTERDAY):
    return CallDay.objects.create(
        line=line,
        firm=line.firm,
        day=day,
        offered=offered,
        calls=offered,
        waited=offered,
        within_target=within,
        target_seconds=20,
    )


def test_a_day_below_target_tells_the_firms_users_once(acme, carol, globex, dave):
    claims = PhoneLineFactory(firm=acme, name="Claims")
    _day(claims, offered=10, within=7)
    _day(PhoneLineFactory(firm=acme, name="Sales"), offered=10, within=8)  # at target
    _day(PhoneLineFactory(firm=acme, name="Quiet"), offered=0, within=0)
    _day(PhoneLineFactory(firm=globex, name="Support"), offered=5, within=5)
    assert service_level_alerts(day=YESTERDAY) == 1
    assert service_level_alerts(day=YESTERDAY) == 1  # the line again, but nobody told twice
    [notice] = Notification.objects.all()
    assert notice.recipient == carol and notice.kind == Notification.Kind.SERVICE_LEVEL_LOW
    assert notice.title.startswith("Claims: 70% of calls answered in time on ")
    assert notice.body == "7 of 10 calls were answered within 20 s; the target is 80%."


def test_another_firms_low_day_never_reaches_this_firm(acme, carol, globex, dave):
    _day(PhoneLineFactory(firm=globex, name="Support"), offered=4, within=1)
    service_level_alerts(day=YESTERDAY)
    assert list(Notification.objects.values_list("recipient", flat=True)) == [dave.pk]


def test_the_nightly_sweep_tells_of_yesterday_only(acme, carol, monkeypatch):
    line = PhoneLineFactory(firm=acme, name="Claims")
    # The sweep recomputes its days from the calls: keep these rows as the test wrote them.
    monkeypatch.setattr(rollups, "callday_rollup", lambda *, day: 0)
    _day(line, offered=10, within=1)
    _day(line, offered=10, within=1, day=YESTERDAY - dt.timedelta(days=3))
    rollups.callday_sweep()
    rollups.callday_sweep()
    assert Notification.objects.get().key == f"line:{line.pk}:{YESTERDAY.isoformat()}"
