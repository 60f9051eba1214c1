"""Issue 13: a staff session ends after 30 minutes without a request; agents and firms keep
the normal session age. A staff request restarts the 30 minutes (at most once a minute, so
pages cost no session write per request)."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.middleware import STAFF_SEEN

pytestmark = pytest.mark.django_db

IDLE = 30 * 60


def _expiry_of(client) -> dt.datetime:
    return Session.objects.get(
        session_key=client.cookies[settings.SESSION_COOKIE_NAME].value
    ).expire_date


def _a_minute_ago(client) -> None:
    """The idle timer was last restarted over a minute ago, and ends in a minute."""
    session = client.session
    session[STAFF_SEEN] -= 61
    session.save()
    Session.objects.update(expire_date=timezone.now() + dt.timedelta(minutes=1))


@pytest.mark.parametrize("persona", ["victor", "fiona", "root"])
def test_a_staff_session_expires_after_thirty_idle_minutes(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    answer = client.get("/staff/finance/" if persona != "victor" else "/staff/vetting/")
    assert answer.status_code == 200
    left = (_expiry_of(client) - timezone.now()).total_seconds()
    assert IDLE - 60 < left <= IDLE


def test_a_staff_request_restarts_the_idle_time(client, victor):
    client.force_login(victor)
    _a_minute_ago(client)
    answer = client.get("/staff/vetting/")
    assert answer.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == IDLE
    assert (_expiry_of(client) - timezone.now()).total_seconds() > IDLE - 60


def test_within_a_minute_a_staff_request_writes_no_session(client, victor):
    client.force_login(victor)
    client.get("/staff/vetting/")
    answer = client.get("/staff/vetting/")
    assert settings.SESSION_COOKIE_NAME not in answer.cookies


def test_an_idle_staff_session_is_signed_out(client, victor):
    client.force_login(victor)
    client.get("/staff/vetting/")
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    answer = client.get("/staff/vetting/")
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


@pytest.mark.parametrize("persona,page", [("alice", "/agent/"), ("carol", "/client/")])
def test_agents_and_firms_keep_the_normal_session_age(client, request, persona, page):
    client.force_login(request.getfixturevalue(persona))
    client.get(page)
    left = (_expiry_of(client) - timezone.now()).total_seconds()
    assert left > settings.SESSION_COOKIE_AGE - 60
