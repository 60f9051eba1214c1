import datetime as dt

import pytest
from django.utils import timezone

from agents.models import AgentProfile, VerificationCheck
from agents.services import (
    agent_duty_set,
    agent_profile_create,
    agent_reinstate,
    agent_reject,
    agent_submit_for_review,
    agent_suspend,
    agent_verify,
    check_decide,
)
from agents.staff_selectors import agent_timeline
from common.errors import ApplicationError, ConflictError
from common.models import AuditRecord
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Status = AgentProfile.Status
NEXT_YEAR = timezone.localdate() + dt.timedelta(days=365)


@pytest.fixture
def applicant(db):
    return agent_profile_create(user=UserFactory(email="dinesh@example.com"))


def _in_review(agent):
    AgentProfile.objects.filter(pk=agent.pk).update(status=Status.IN_REVIEW)
    agent.refresh_from_db()
    return agent


def _approve_all(agent, actor):
    for kind in VerificationCheck.Kind:
        expires = NEXT_YEAR if kind in VerificationCheck.EXPIRING else None
        check_decide(agent=agent, kind=kind, approve=True, actor=actor, expires_on=expires)


def test_a_new_applicant_has_every_check_pending(applicant):
    assert applicant.status == Status.APPLIED
    assert set(applicant.checks.values_list("status", flat=True)) == {"pending"}
    assert applicant.checks.count() == len(VerificationCheck.Kind)


def test_submitting_an_incomplete_profile_lists_what_is_missing(applicant):
    with pytest.raises(ApplicationError) as error:
        agent_submit_for_review(agent=applicant)
    assert "your full name" in error.value.message
    assert "an identity proof" in error.value.message
    assert "the compliance attestations" in error.value.message
    applicant.refresh_from_db()
    assert applicant.status == Status.APPLIED


def test_verifying_needs_every_check_approved(applicant, victor):
    agent = _in_review(applicant)
    with pytest.raises(ConflictError, match="still open: identity document"):
        agent_verify(agent=agent, actor=victor)
    _approve_all(agent, victor)
    agent = agent_verify(agent=agent, actor=victor)
    assert agent.status == Status.VERIFIED


def test_an_expiring_check_needs_a_future_expiry_date(applicant, victor):
    with pytest.raises(ApplicationError, match="give its expiry date"):
        check_decide(agent=applicant, kind="background", approve=True, actor=victor)
    with pytest.raises(ApplicationError, match="must be in the future"):
        check_decide(
            agent=applicant,
            kind="background",
            approve=True,
            actor=victor,
            expires_on=timezone.localdate(),
        )


def test_rejecting_a_check_needs_a_reason(applicant, victor):
    with pytest.raises(ApplicationError, match="give a reason"):
        check_decide(agent=applicant, kind="identity", approve=False, actor=victor, reason=" ")
    check = check_decide(
        agent=applicant, kind="identity", approve=False, actor=victor, reason="Blurred scan"
    )
    assert check.status == "rejected"
    assert agent_timeline(agent=applicant).get().reason == "Blurred scan"


@pytest.mark.parametrize(
    ("status", "service", "verb"),
    [
        (Status.APPLIED, agent_verify, "verify"),
        (Status.APPLIED, agent_reject, "reject"),
        (Status.APPLIED, agent_suspend, "suspend"),
        (Status.IN_REVIEW, agent_suspend, "suspend"),
        (Status.IN_REVIEW, agent_reinstate, "reinstate"),
        (Status.VERIFIED, agent_verify, "verify"),
        (Status.VERIFIED, agent_reinstate, "reinstate"),
        (Status.REJECTED, agent_verify, "verify"),
        (Status.REJECTED, agent_suspend, "suspend"),
        (Status.SUSPENDED, agent_suspend, "suspend"),
    ],
)
def test_illegal_transitions_are_refused_with_a_clear_message(
    applicant, victor, status, service, verb
):
    AgentProfile.objects.filter(pk=applicant.pk).update(status=status)
    with pytest.raises(ConflictError) as error:
        service(agent=applicant, actor=victor, reason="because")
    assert error.value.message.startswith(f"Cannot {verb} an agent whose status is")
    applicant.refresh_from_db()
    assert applicant.status == status
    assert not agent_timeline(agent=applicant).exists()


def test_the_full_life_leaves_an_append_only_timeline_and_emails(
    applicant, victor, mailoutbox, django_capture_on_commit_callbacks
):
    agent = _in_review(applicant)
    _approve_all(agent, victor)
    with django_capture_on_commit_callbacks(execute=True):
        agent_verify(agent=agent, actor=victor)
        agent_suspend(agent=agent, actor=victor, reason="Complaint under review")
        agent_reinstate(agent=agent, actor=victor, reason="Complaint dismissed")
    actions = list(agent_timeline(agent=agent).order_by("id").values_list("action", flat=True))
    assert actions[-3:] == ["verified", "suspended", "reinstated"]
    assert [m.subject for m in mailoutbox] == [
        "Homeshore: You are verified",
        "Homeshore: You are suspended",
        "Homeshore: You are verified",
    ]
    assert "Complaint under review" in mailoutbox[1].body
    event = agent_timeline(agent=agent).first()
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert AuditRecord.objects.about(agent).count() == len(actions)


def test_rejecting_an_agent_needs_a_reason(applicant, victor):
    agent = _in_review(applicant)
    with pytest.raises(ApplicationError, match="give a reason"):
        agent_reject(agent=agent, actor=victor, reason="")
    assert agent_reject(agent=agent, actor=victor, reason="No address proof").status == "rejected"


def test_only_verified_compliant_agents_go_available(applicant, victor):
    with pytest.raises(ConflictError, match="Only verified agents"):
        agent_duty_set(agent=applicant, available=True)
    agent = _in_review(applicant)
    _approve_all(agent, victor)
    agent_verify(agent=agent, actor=victor)
    agent = agent_duty_set(agent=agent, available=True)
    assert agent.duty_status == "available"
    assert agent.duty_changed_at is not None
    agent_suspend(agent=agent, actor=victor, reason="Investigation")
    agent.refresh_from_db()
    assert agent.duty_status == "offline"
