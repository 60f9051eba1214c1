"""Issue 13: a vetted agent who changes their name, city or bank details sends the check that
vouched for it back to pending review, with audit records; the agent stays verified (see
agents.services.checks_reopen for why)."""

import datetime as dt

import pytest
from django.utils import timezone

from agents.enrolment import bank_details_set, profile_update
from agents.gazetteer import place_find
from agents.models import AgentProfile, VerificationCheck
from agents.services import agent_profile_create, check_decide
from agents.staff_selectors import agent_timeline
from common.models import AuditRecord
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Kind, CheckStatus = VerificationCheck.Kind, VerificationCheck.Status
NEXT_YEAR = timezone.localdate() + dt.timedelta(days=365)


@pytest.fixture
def vetted(victor) -> AgentProfile:
    """Dinesh in Mangaluru, bank details on file, every check approved, verified."""
    agent = agent_profile_create(user=UserFactory(email="dinesh@example.com"))
    mangaluru = place_find("Mangaluru", country_code="IN")
    profile_update(
        agent=agent, full_name="Dinesh Rao", former_employer="", geoname_id=mangaluru.geoname_id
    )
    bank_details_set(
        agent=agent, holder_name="Dinesh Rao", ifsc="HDFC0001234", account_number="004512345678"
    )
    for kind in Kind:
        expires = NEXT_YEAR if kind in VerificationCheck.EXPIRING else None
        check_decide(agent=agent, kind=kind, approve=True, actor=victor, expires_on=expires)
    AgentProfile.objects.filter(pk=agent.pk).update(status=AgentProfile.Status.VERIFIED)
    agent.refresh_from_db()
    return agent


def _statuses(agent) -> dict[str, str]:
    return dict(agent.checks.values_list("kind", "status"))


def test_a_name_change_sends_the_identity_check_back_to_review(vetted):
    profile_update(
        agent=vetted, full_name="Mallory Rao", former_employer="", geoname_id=vetted.geoname_id
    )
    assert _statuses(vetted) == {
        Kind.IDENTITY: CheckStatus.PENDING,
        Kind.ADDRESS: CheckStatus.APPROVED,
        Kind.BACKGROUND: CheckStatus.APPROVED,
        Kind.INFOSEC_TRAINING: CheckStatus.APPROVED,
    }
    changed = AuditRecord.objects.about(vetted).get(action="profile_changed")
    assert (changed.before, changed.after) == (
        {"full_name": "Dinesh Rao"},
        {"full_name": "Mallory Rao"},
    )
    reopened = AuditRecord.objects.about(vetted).get(action="check_reopened")
    assert reopened.detail["check_kind"] == Kind.IDENTITY
    assert reopened.actor == vetted.user
    assert reopened in list(agent_timeline(agent=vetted))


def test_a_move_to_another_city_sends_the_address_check_back(vetted):
    madurai = place_find("Madurai", country_code="IN")
    profile_update(
        agent=vetted, full_name="Dinesh Rao", former_employer="", geoname_id=madurai.geoname_id
    )
    assert _statuses(vetted)[Kind.ADDRESS] == CheckStatus.PENDING
    assert _statuses(vetted)[Kind.IDENTITY] == CheckStatus.APPROVED


def test_new_bank_details_send_the_identity_check_back(vetted):
    bank_details_set(
        agent=vetted, holder_name="Dinesh Rao", ifsc="SBIN0000001", account_number="99998888777"
    )
    assert _statuses(vetted)[Kind.IDENTITY] == CheckStatus.PENDING
    check = vetted.checks.get(kind=Kind.IDENTITY)
    assert (check.decided_by, check.decided_at) == (None, None)


def test_saving_the_same_details_reopens_nothing(vetted):
    profile_update(
        agent=vetted, full_name="Dinesh Rao", former_employer="LIC", geoname_id=vetted.geoname_id
    )
    bank_details_set(
        agent=vetted, holder_name="Dinesh Rao", ifsc="HDFC0001234", account_number="004512345678"
    )
    assert set(_statuses(vetted).values()) == {CheckStatus.APPROVED}
    assert not AuditRecord.objects.about(vetted).filter(action="check_reopened").exists()


def test_the_agent_stays_verified_and_compliant_while_rereviewed(vetted):
    profile_update(
        agent=vetted, full_name="Dinesh R", former_employer="", geoname_id=vetted.geoname_id
    )
    vetted.refresh_from_db()
    assert (vetted.status, vetted.is_compliant) == (AgentProfile.Status.VERIFIED, True)


def test_the_vetting_queue_lists_verified_agents_with_checks_back_in_review(client, victor, vetted):
    other = agent_profile_create(user=UserFactory(email="asha@example.com"))
    AgentProfile.objects.filter(pk=other.pk).update(status=AgentProfile.Status.VERIFIED)
    client.force_login(victor)
    before = client.get("/staff/vetting/", {"status": "verified", "reopened": "on"})
    assert before.context["total"] == 1  # asha's checks were never decided
    profile_update(
        agent=vetted, full_name="Mallory Rao", former_employer="", geoname_id=vetted.geoname_id
    )
    page = client.get("/staff/vetting/", {"status": "verified", "reopened": "on"})
    assert {a.pk for a in page.context["page"]} == {vetted.pk, other.pk}
    assert page.context["reopened"] == 2
