"""No dead ends for an agent: a declined or suspended agent sees why and what to do, a
declined one corrects and applies again, and every decided agent reaches their profile."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agents.attestations import ATTESTATIONS
from agents.documents import document_upload
from agents.enrolment import bank_details_set, profile_update
from agents.models import (
    AgentDocument,
    AgentLanguage,
    AgentProfile,
    AgentSkill,
    AttestationAcceptance,
    VerificationCheck,
)
from agents.selectors import MAX_REJECTIONS
from agents.services import (
    agent_profile_create,
    agent_reapply,
    agent_reject,
    agent_suspend,
    compliance_refresh,
)
from agents.staff_selectors import agent_review_queue
from common.errors import ConflictError
from common.models import AuditAction, AuditRecord
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
Status = AgentProfile.Status
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path


def _document(agent, kind):
    return AgentDocument.objects.create(
        agent=agent, kind=kind, content_type="application/pdf", size=len(PDF), sha256="x",
        file=ContentFile(PDF, f"{kind}.pdf"),
    )  # one fixture row, one line per concern # fmt: skip


@pytest.fixture
def ravi(db):
    """A complete profile, submitted, with the identity check rejected and the agent declined."""
    agent = agent_profile_create(user=UserFactory(email="ravi@example.com", name="Ravi"))
    AgentProfile.objects.filter(pk=agent.pk).update(
        full_name="Ravi Kumar", geoname_id=1263780, city="Mangaluru", phone="+919845011111",
        phone_verified_at=timezone.now(), status=Status.IN_REVIEW,
    )  # one fixture row, one line per concern # fmt: skip
    agent.refresh_from_db()
    AgentLanguage.objects.create(agent=agent, language="kn", proficiency=5)
    AgentSkill.objects.create(agent=agent, domain="insurance", level=4, years=10)
    bank_details_set(
        agent=agent, holder_name="Ravi Kumar", ifsc="SBIN0001234", account_number="12345678901"
    )
    for kind in ("identity", "address"):
        _document(agent, kind)
    for a in ATTESTATIONS:
        AttestationAcceptance.objects.create(agent=agent, kind=a.kind, version=a.version)
    return agent


def _decline(agent, victor, reason="The identity scan is unreadable"):
    agent.checks.filter(kind="identity").update(status="rejected", reason="Blurred scan")
    AgentProfile.objects.filter(pk=agent.pk).update(status=Status.IN_REVIEW)
    return agent_reject(agent=agent, actor=victor, reason=reason)


def test_a_declined_agent_sees_the_reason_and_what_to_do(client, ravi, victor):
    _decline(ravi, victor)
    client.force_login(ravi.user)
    page = client.get(reverse("agents:home")).content.decode()
    assert "Your application was declined" in page
    assert "The identity scan is unreadable" in page
    assert "Upload a clear identity proof" in page and reverse("agents:documents") in page
    assert "mailto:vetting@homeshore.example" in page
    # Nothing changed yet: no button, but a sentence saying what to change.
    assert reverse("agents:reapply") not in page
    assert "Nothing has changed since the decision" in page


def test_a_declined_agent_who_changed_nothing_cannot_apply_again(ravi, victor):
    _decline(ravi, victor)
    with pytest.raises(ConflictError, match="Nothing has changed"):
        agent_reapply(agent=ravi)
    ravi.refresh_from_db()
    assert ravi.status == Status.REJECTED


def test_a_new_document_lets_them_apply_again_and_vetting_sees_them_in_the_queue(
    client, ravi, victor
):
    _decline(ravi, victor)
    _document(ravi, "identity")
    client.force_login(ravi.user)
    assert reverse("agents:reapply") in client.get(reverse("agents:home")).content.decode()
    response = client.post(reverse("agents:reapply"))
    assert response.status_code == 302
    ravi.refresh_from_db()
    assert ravi.status == Status.IN_REVIEW
    assert ravi in agent_review_queue()
    identity = ravi.checks.get(kind="identity")
    assert (identity.status, identity.reason) == (VerificationCheck.Status.PENDING, "")
    record = AuditRecord.objects.about(ravi).filter(action=AuditAction.SUBMITTED).latest("id")
    assert record.actor == ravi.user
    assert (record.before, record.after) == ({"status": "rejected"}, {"status": "in_review"})


def test_a_changed_name_counts_as_a_correction(ravi, victor):
    _decline(ravi, victor)
    ravi.refresh_from_db()
    profile_update(agent=ravi, full_name="Ravi K. Kumar", former_employer="", geoname_id=None)
    assert agent_reapply(agent=ravi).status == Status.IN_REVIEW


def test_after_three_declines_the_agent_is_sent_to_the_vetting_team(ravi, victor):
    for _ in range(MAX_REJECTIONS):
        _decline(ravi, victor)
        _document(ravi, "identity")
    with pytest.raises(ConflictError, match="write to our vetting team"):
        agent_reapply(agent=ravi)


def test_only_a_declined_agent_can_apply_again(client, ravi):
    client.force_login(ravi.user)
    client.post(reverse("agents:reapply"))
    ravi.refresh_from_db()
    assert ravi.status == Status.IN_REVIEW  # unchanged: it was in review
    with pytest.raises(ConflictError, match="Only a declined application"):
        agent_reapply(agent=ravi)


def test_applying_again_is_for_agents_only(client, ravi, victor, carol):
    _decline(ravi, victor)
    _document(ravi, "identity")
    client.force_login(carol)
    assert client.post(reverse("agents:reapply")).status_code == 403
    ravi.refresh_from_db()
    assert ravi.status == Status.REJECTED


def test_another_agent_applying_again_moves_only_themselves(client, ravi, victor, alice):
    _decline(ravi, victor)
    _document(ravi, "identity")
    client.force_login(alice)
    client.post(reverse("agents:reapply"))
    ravi.refresh_from_db()
    assert ravi.status == Status.REJECTED


def test_a_suspended_agent_sees_why_and_whom_to_write_to(client, ravi, victor):
    AgentProfile.objects.filter(pk=ravi.pk).update(status=Status.VERIFIED)
    agent_suspend(agent=ravi, actor=victor, reason="Missed the infosec refresher")
    client.force_login(ravi.user)
    page = client.get(reverse("agents:home")).content.decode()
    assert "Your account is" in page and "suspended" in page
    assert "Missed the infosec refresher" in page
    assert "mailto:vetting@homeshore.example" in page


def test_an_expired_check_says_what_to_renew_and_where(client, ravi):
    AgentProfile.objects.filter(pk=ravi.pk).update(status=Status.VERIFIED)
    ravi.checks.filter(kind="background").update(
        status="expired", expires_on=timezone.localdate() - dt.timedelta(days=1), reason="ok"
    )
    client.force_login(ravi.user)
    page = client.get(reverse("agents:home")).content.decode()
    assert "Upload your renewed background check certificate" in page
    assert "expired on" in page


@pytest.mark.parametrize("status", [Status.VERIFIED, Status.SUSPENDED, Status.REJECTED])
def test_a_decided_agent_reaches_profile_bank_and_documents(client, ravi, status):
    AgentProfile.objects.filter(pk=ravi.pk).update(status=status)
    client.force_login(ravi.user)
    page = client.get(reverse("agents:home")).content.decode()
    for name in ("profile", "bank", "documents"):
        assert f'href="{reverse("agents:" + name)}"' in page
        assert client.get(reverse("agents:" + name)).status_code == 200


def test_an_expired_certificate_says_what_to_upload_and_the_renewal_restores_compliance(
    client, ravi
):
    AgentProfile.objects.filter(pk=ravi.pk).update(status=Status.VERIFIED)
    licence = _document(ravi, "certificate")
    past = timezone.localdate() - dt.timedelta(days=2)
    AgentDocument.objects.filter(pk=licence.pk).update(title="IRDAI licence", expires_on=past)
    compliance_refresh(agent=ravi)
    assert not ravi.is_compliant
    client.force_login(ravi.user)
    assert (
        "Upload your renewed IRDAI licence" in client.get(reverse("agents:home")).content.decode()
    )
    renewal = SimpleUploadedFile("licence.pdf", PDF, content_type="application/pdf")
    next_year = timezone.localdate() + dt.timedelta(days=365)
    document_upload(
        agent=ravi, kind="certificate", file=renewal, title="irdai licence ", expires_on=next_year
    )
    ravi.refresh_from_db()
    assert ravi.is_compliant and ravi.compliant_until == next_year
    assert "Upload your renewed" not in client.get(reverse("agents:home")).content.decode()
