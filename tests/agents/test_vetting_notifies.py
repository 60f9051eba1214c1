"""Vetting's notifications: a submitted profile tells the vetting staff (no one else), a
decision tells the agent (no one else), by the bell and by email after the commit."""

import pytest

from accounts.models import Notification
from agents import services
from agents.services import agent_reject, agent_submit_for_review
from tests.agents.test_vetting_state_machine import _in_review
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


def _told(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__email", flat=True))


def test_a_submitted_profile_tells_the_vetting_staff_only(
    alice, bob, victor, fiona, carol, root, monkeypatch
):
    other_vetter = UserFactory(email="vera@homeshore.example", role="vetting")
    monkeypatch.setattr(services, "agent_missing_items", lambda agent: [])
    agent_submit_for_review(agent=alice.agent_profile)
    assert _told(Kind.PROFILE_SUBMITTED) == sorted([victor.email, other_vetter.email])
    notice = Notification.objects.filter(recipient=victor).get()
    assert notice.url == f"/staff/vetting/{alice.agent_profile.pk}/"
    assert "Alice Agent" in notice.body


def test_a_decision_tells_the_agent_only_with_the_reason(
    alice, bob, victor, mailoutbox, django_capture_on_commit_callbacks
):
    agent = _in_review(alice.agent_profile)
    with django_capture_on_commit_callbacks(execute=True):
        agent_reject(agent=agent, actor=victor, reason="The identity proof is unreadable")
    [notice] = Notification.objects.all()
    assert (notice.recipient, notice.kind, notice.title) == (
        alice,
        Kind.ACCOUNT_DECIDED,
        "You are rejected",
    )
    assert "unreadable" in notice.body
    assert [(m.to, m.subject) for m in mailoutbox] == [
        ([alice.email], "Homeshore: You are rejected")
    ]
