"""A conversation past its first-response target with no reply is marked breached and
escalated to staff, once."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Notification, User
from mailroom.models import Event
from mailroom.sla import conversations_breach_due
from tests.mailroom.conversations import conversation_waiting

pytestmark = pytest.mark.django_db


@pytest.fixture
def victor():
    return User.objects.create_user(email="victor@homeshore.example", role=User.Role.VETTING)


def test_an_overdue_conversation_is_breached_and_escalated_once(mail_queue, victor):
    late = conversation_waiting(mail_queue, due=timezone.now() - dt.timedelta(minutes=7))
    conversation_waiting(mail_queue)  # not due yet
    assert conversations_breach_due() == 1
    assert conversations_breach_due() == 0
    late.refresh_from_db()
    assert late.breached_at is not None
    event = late.events.get(kind=Event.Kind.BREACHED)
    assert "7 min after the target; waiting for an agent" in event.detail
    notice = Notification.objects.get()
    assert notice.recipient == victor and notice.kind == Notification.Kind.EMAIL_SLA_BREACHED


def test_an_answered_conversation_is_never_breached(mail_queue, victor):
    conv = conversation_waiting(mail_queue, due=timezone.now() - dt.timedelta(minutes=1))
    conv.first_response_at = timezone.now() - dt.timedelta(minutes=2)
    conv.status = "answered"
    conv.save()
    assert conversations_breach_due() == 0 and not Notification.objects.exists()
