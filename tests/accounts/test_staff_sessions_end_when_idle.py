"""Issue 13: a staff session ends after 30 minutes without a request; agents and firms keep
the normal session age. Each staff request starts the 30 minutes again."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

pytestmark = pytest.mark.django_db

IDLE = 30 * 60


def _expiry_of(client) -> dt.datetime:
    return Session.objects.get(
        session_key=client.cookies[settings.SESSION_COOKIE_NAME].value
    ).expire_date


@pytest.mark.parametrize("persona", ["victor", "fiona", "root"])
def test_a_staff_session_expires_after_thirty_idle_minutes(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    answer = client.get("/staff/finance/" if persona != "victor" else "/staff/vetting/")
    assert answer.status_code == 200
    assert answer.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == IDLE
    left = (_expiry_of(client) - timezone.now()).total_seconds()
    assert IDLE - 60 < left <= IDLE


def test_each_staff_request_starts_the_idle_time_again(client, victor):
    client.force_login(victor)
    client.get("/staff/vetting/")
    Session.objects.update(expire_date=timezone.now() + dt.timedelta(minutes=1))
    client.get("/staff/vetting/")
    assert (_expiry_of(client) - timezone.now()).total_seconds() > IDLE - 60


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
