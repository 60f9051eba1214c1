import datetime as dt
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agents.documents import document_upload
from agents.models import (
    AgentDocument,
    AgentLanguage,
    AgentProfile,
    AgentSkill,
    AttestationAcceptance,
    VerificationCheck,
)
from agents.services import agent_profile_create, check_decide
from agents.staff_selectors import agent_timeline
from common.audit import audit_log
from common.models import AuditAction
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Status = AgentProfile.Status
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
NEXT_YEAR = timezone.localdate() + dt.timedelta(days=365)
# Session, user, the MFA middleware's TOTP probe, the status counts, the count of vetted
# agents with checks back in review, the page's rows (by cursor: no count of its own, the
# heading takes the status's count), then one prefetch each for languages and skills, and
# the notifications bell's count — however many rows there are.
QUEUE_QUERIES = 9
# Session, user, TOTP probe, the agent, then languages, skills, documents, attestations,
# checks and the timeline: the audit-log read takes the place of the events prefetch; the bell.
AGENT_PAGE_QUERIES = 11


def _agent(name: str, *, status=Status.IN_REVIEW, days_ago: int = 0, **fields) -> AgentProfile:
    user = UserFactory(email=f"{name.lower()}@example.com")
    fields.setdefault("city", "Mangaluru")
    agent = agent_profile_create(user=user, full_name=name, **fields)
    submitted = timezone.now() - dt.timedelta(days=days_ago)
    AgentProfile.objects.filter(pk=agent.pk).update(status=status, submitted_at=submitted)
    agent.refresh_from_db()
    return agent


def _approve_all(agent: AgentProfile, actor) -> None:
    for kind in VerificationCheck.Kind:
        expires = NEXT_YEAR if kind in VerificationCheck.EXPIRING else None
        check_decide(agent=agent, kind=kind, approve=True, actor=actor, expires_on=expires)


def _page(response) -> str:
    return response.content.decode()


@pytest.fixture
def staff(client, victor):
    client.force_login(victor)
    return client


@pytest.fixture
def dinesh(db) -> AgentProfile:
    return _agent("Dinesh")


@pytest.fixture
def private_media(settings, tmp_path):
    # PrivateStorage reads the setting at each use.
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def identity_proof(dinesh, private_media) -> AgentDocument:
    upload = SimpleUploadedFile("id.pdf", PDF)
    return document_upload(agent=dinesh, kind="identity", file=upload)


def _decide_check(client, agent, kind, **data):
    url = reverse("vetting:check_decide", args=[agent.pk, kind])
    return client.post(url, data, follow=True)


def _decide(client, agent, action, reason=""):
    url = reverse("vetting:agent_decide", args=[agent.pk])
    return client.post(url, {"action": action, "reason": reason}, follow=True)


# The queue


def test_the_queue_lists_agents_in_review_oldest_first(staff):
    _agent("Newest", days_ago=1)
    _agent("Oldest", days_ago=9)
    _agent("Middle", days_ago=5)
    _agent("Applicant", status=Status.APPLIED)
    page = _page(staff.get(reverse("vetting:home")))
    assert page.index("Oldest") < page.index("Middle") < page.index("Newest")
    assert "Applicant" not in page


def test_the_queue_filters_by_domain_language_and_city(staff):
    banker = _agent("Banker", city="Mysuru")
    AgentSkill.objects.create(agent=banker, domain="banking", level=3, years=4)
    AgentLanguage.objects.create(agent=banker, language="kn", proficiency=5)
    insurer = _agent("Insurer")
    AgentSkill.objects.create(agent=insurer, domain="insurance", level=2, years=1)
    AgentLanguage.objects.create(agent=insurer, language="hi", proficiency=4)
    for query, shown, hidden in [
        ({"domain": "banking"}, "Banker", "Insurer"),
        ({"language": "hi"}, "Insurer", "Banker"),
        ({"city": "mysuru"}, "Banker", "Insurer"),
        ({"city": "mangal"}, "Insurer", "Banker"),
    ]:
        page = _page(staff.get(reverse("vetting:home"), query))
        assert shown in page and hidden not in page, query


def test_the_queue_can_show_other_statuses_and_counts_each(staff):
    _agent("Waiting")
    _agent("Trusted", status=Status.VERIFIED)
    page = _page(staff.get(reverse("vetting:home"), {"status": "verified"}))
    assert "Trusted" in page and "Waiting" not in page
    assert "<strong>1</strong>In review" in page.replace("\n", "").replace("  ", "")


def test_the_queue_pages_by_25_and_keeps_the_filters_in_the_links(staff):
    for n in range(26):
        _agent(f"Agent{n:02d}", days_ago=30 - n)
    response = staff.get(reverse("vetting:home"), {"city": "Mang"})
    first = _page(response)
    assert "Agent24" in first and "Agent25" not in first
    cursor = response.context["page"].next_cursor  # pages by cursor (common.keyset)
    assert "city=Mang&amp;" + urlencode({"cursor": cursor}) in first
    second = _page(staff.get(reverse("vetting:home"), {"city": "Mang", "cursor": cursor}))
    assert "Agent25" in second and "Agent24" not in second


@pytest.mark.parametrize("rows", [3, 6])
def test_the_queue_costs_the_same_queries_however_many_agents(
    staff, django_assert_num_queries, rows
):
    for n in range(rows):
        agent = _agent(f"Agent{n}", days_ago=n)
        AgentSkill.objects.create(agent=agent, domain="telecom", level=2, years=2)
        AgentLanguage.objects.create(agent=agent, language="en", proficiency=4)
    with django_assert_num_queries(QUEUE_QUERIES):
        response = staff.get(reverse("vetting:home"))
    assert _page(response).count("Telecom</td>") == rows


# Checks


def test_approving_a_check_records_who_and_when(staff, dinesh, victor):
    response = _decide_check(staff, dinesh, "identity", decision="approve")
    assert "Identity document: approved." in _page(response)
    check = dinesh.checks.get(kind="identity")
    assert check.status == "approved" and check.decided_by == victor


def test_approving_an_expiring_check_needs_a_valid_future_date(staff, dinesh):
    page = _page(_decide_check(staff, dinesh, "background", decision="approve", expires_on="x"))
    assert "Enter a valid date." in page
    page = _page(_decide_check(staff, dinesh, "background", decision="approve"))
    assert "This check expires: give its expiry date." in page
    assert dinesh.checks.get(kind="background").status == "pending"
    _decide_check(staff, dinesh, "background", decision="approve", expires_on=NEXT_YEAR)
    assert dinesh.checks.get(kind="background").expires_on == NEXT_YEAR


def test_rejecting_a_check_keeps_the_reason(staff, dinesh):
    _decide_check(staff, dinesh, "address", decision="reject", reason="Blurred scan")
    check = dinesh.checks.get(kind="address")
    assert (check.status, check.reason) == ("rejected", "Blurred scan")


def test_rejecting_a_check_without_a_reason_says_so_and_changes_nothing(staff, dinesh):
    response = _decide_check(staff, dinesh, "address", decision="reject", reason="  ")
    assert "Please give a reason." in _page(response)
    assert dinesh.checks.get(kind="address").status == "pending"
    assert not agent_timeline(agent=dinesh).exists()


def test_an_unknown_check_or_action_gets_a_clear_message(staff, dinesh):
    page = _page(_decide_check(staff, dinesh, "horoscope", decision="approve"))
    assert "There is no check called “horoscope”." in page
    page = _page(_decide_check(staff, dinesh, "identity", decision="maybe"))
    assert "Decision: Select a valid choice." in page
    assert "Action: Select a valid choice." in _page(_decide(staff, dinesh, "promote"))
    assert not agent_timeline(agent=dinesh).exists()


# Agent decisions


def test_verifying_with_checks_open_names_what_is_still_open(staff, dinesh):
    response = _decide(staff, dinesh, "verify")
    assert "still open: identity document, address document" in _page(response)
    dinesh.refresh_from_db()
    assert dinesh.status == Status.IN_REVIEW


def test_an_agent_is_verified_once_every_check_is_approved(staff, dinesh, victor):
    _approve_all(dinesh, victor)
    assert "Dinesh is verified." in _page(_decide(staff, dinesh, "verify"))
    dinesh.refresh_from_db()
    assert dinesh.status == Status.VERIFIED


def test_a_verified_agent_can_be_suspended_and_reinstated(staff, victor):
    agent = _agent("Esha", status=Status.VERIFIED)
    page = _page(_decide(staff, agent, "suspend", "Recorded a call"))
    assert "Esha is suspended." in page and "Reinstate agent" in page
    agent.refresh_from_db()
    assert agent.status == Status.SUSPENDED
    page = _page(_decide(staff, agent, "reinstate", "Appeal upheld"))
    assert "Esha is reinstated." in page and "Suspend agent" in page
    agent.refresh_from_db()
    assert agent.status == Status.VERIFIED


def test_an_illegal_action_shows_the_conflict_and_changes_nothing(staff, dinesh):
    response = _decide(staff, dinesh, "suspend", "No reason to")
    assert response.status_code == 200
    assert "Cannot suspend an agent whose status is in review." in _page(response)
    dinesh.refresh_from_db()
    assert dinesh.status == Status.IN_REVIEW
    assert not agent_timeline(agent=dinesh).exists()


def test_the_page_offers_only_the_actions_legal_now(staff, dinesh):
    page = _page(staff.get(reverse("vetting:agent", args=[dinesh.pk])))
    assert "Verify agent" in page and "Reject agent" in page
    assert "Suspend agent" not in page and "Reinstate agent" not in page


def test_the_timeline_lists_decisions_newest_first_with_their_actor(staff, dinesh, victor):
    _decide_check(staff, dinesh, "identity", decision="approve")
    _decide_check(staff, dinesh, "address", decision="reject", reason="Blurred scan")
    audit_log(actor=None, action=AuditAction.CHECK_EXPIRED, target=dinesh, check_kind="background")
    page = _page(staff.get(reverse("vetting:agent", args=[dinesh.pk])))
    timeline = page[page.index("Timeline") :]
    assert timeline.index("Check expired") < timeline.index("Check rejected")
    assert timeline.index("Check rejected") < timeline.index("Check approved")
    assert "Blurred scan" in timeline and "victor@homeshore.example" in timeline
    assert "system" in timeline


# The agent's file


def test_the_page_never_shows_the_full_bank_account_number(staff, dinesh):
    dinesh.bank_account, dinesh.bank_account_last4 = "12345678901234", "1234"
    dinesh.bank_holder_name, dinesh.bank_ifsc = "Dinesh K", "HDFC0001234"
    dinesh.save()
    page = _page(staff.get(reverse("vetting:agent", args=[dinesh.pk])))
    assert "12345678901234" not in page
    assert "•••• 1234" in page and "HDFC0001234" in page


def test_the_page_shows_documents_and_attestations(staff, dinesh, identity_proof):
    AttestationAcceptance.objects.create(
        agent=dinesh, kind="confidentiality", version=1, ip_address="203.0.113.9"
    )
    page = _page(staff.get(reverse("vetting:agent", args=[dinesh.pk])))
    assert reverse("vetting:document", args=[identity_proof.pk]) in page
    assert "Confidentiality agreement" in page and "203.0.113.9" in page


def test_the_staff_document_view_serves_the_bytes_with_the_sniffed_type(
    staff, identity_proof, private_media
):
    assert str(identity_proof.file.path).startswith(str(private_media))
    response = staff.get(reverse("vetting:document", args=[identity_proof.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


# Access


def _vetting_urls(agent, document):
    return [
        ("get", reverse("vetting:home")),
        ("get", reverse("vetting:agent", args=[agent.pk])),
        ("get", reverse("vetting:document", args=[document.pk])),
        ("post", reverse("vetting:check_decide", args=[agent.pk, "identity"])),
        ("post", reverse("vetting:agent_decide", args=[agent.pk])),
    ]


@pytest.mark.parametrize("persona", ["alice", "carol", "fiona"])
def test_other_roles_get_403_on_every_vetting_url(client, request, persona, dinesh, identity_proof):
    client.force_login(request.getfixturevalue(persona))
    for method, url in _vetting_urls(dinesh, identity_proof):
        assert getattr(client, method)(url, {"decision": "approve"}).status_code == 403, url
    assert dinesh.checks.get(kind="identity").status == "pending"


def test_anonymous_visitors_are_sent_to_sign_in(client, dinesh, identity_proof):
    for method, url in _vetting_urls(dinesh, identity_proof):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("account_login")), url


def test_vetting_staff_without_totp_are_sent_to_enrol(
    client, staff_without_totp, dinesh, identity_proof
):
    client.force_login(staff_without_totp)
    for method, url in _vetting_urls(dinesh, identity_proof):
        response = getattr(client, method)(url)
        assert (response.status_code, response.url) == (302, reverse("mfa_activate_totp")), url


def test_unknown_agents_and_documents_are_404(staff):
    assert staff.get(reverse("vetting:agent", args=[999])).status_code == 404
    assert staff.get(reverse("vetting:document", args=[999])).status_code == 404
    assert staff.post(reverse("vetting:agent_decide", args=[999])).status_code == 404
    url = reverse("vetting:check_decide", args=[999, "identity"])
    assert staff.post(url, {"decision": "approve"}).status_code == 404


def test_the_decision_endpoints_refuse_get(staff, dinesh):
    assert staff.get(reverse("vetting:agent_decide", args=[dinesh.pk])).status_code == 405
    url = reverse("vetting:check_decide", args=[dinesh.pk, "identity"])
    assert staff.get(url).status_code == 405


@pytest.mark.parametrize("records", [1, 6])
def test_the_agents_page_costs_the_same_queries_however_long_the_timeline(
    staff, dinesh, victor, django_assert_num_queries, records
):
    for _n in range(records):
        audit_log(actor=victor, action=AuditAction.CHECK_APPROVED, target=dinesh, check_kind="x")
    audit_log(actor=dinesh.user, action=AuditAction.BANK_DETAILS_SET, target=dinesh)
    url = reverse("vetting:agent", args=[dinesh.pk])
    staff.get(url)  # the first view in a process also reads the content type, once
    with django_assert_num_queries(AGENT_PAGE_QUERIES):
        response = staff.get(url)
    timeline = _page(response)[_page(response).index("Timeline") :]
    assert timeline.count("Check approved") == records
    assert "Bank details" not in timeline  # the timeline is vetting's, as before
