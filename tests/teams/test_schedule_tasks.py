"""Beat opens the coming weeks' slots of every open request and tells leads of no-shows."""

import datetime as dt

import pytest
from django.utils import timezone

from teams.models import Slot
from teams.tasks import no_shows_notify_task, slots_open_ahead_task
from tests.teams.conftest import request_for

pytestmark = pytest.mark.django_db


def test_beat_runs_both_tasks(settings):
    from config.celery import app

    for name, task in [
        ("teams-slots-open", "teams.slots_open_ahead"),
        ("teams-no-shows", "teams.no_shows_notify"),
    ]:
        assert settings.CELERY_BEAT_SCHEDULE[name]["task"] == task
        assert task in app.tasks


def test_the_task_opens_this_and_the_next_weeks_of_open_requests_only(acme, settings):
    settings.TEAMS_WEEKS_AHEAD = 1
    today = timezone.localdate()
    span = {"start_date": today - dt.timedelta(days=7), "end_date": today + dt.timedelta(days=60)}
    open_one = request_for(acme, days="0123456", **span)
    closed = request_for(acme, days="0123456", status="closed", **span)
    slots_open_ahead_task()
    first = Slot.objects.filter(request=open_one).count()
    assert first == 2 * 7 * 18  # two weeks, every day 09:00-18:00
    assert not Slot.objects.filter(request=closed).exists()
    slots_open_ahead_task()  # again: nothing new, nothing lost
    assert Slot.objects.filter(request=open_one).count() == first


def test_the_no_show_task_is_quiet_with_nothing_booked():
    assert no_shows_notify_task() == 0
