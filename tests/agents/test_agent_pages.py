import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agents.attestations import ATTESTATIONS
from agents.documents import document_upload
from agents.models import AgentLanguage, AgentProfile, AgentSkill

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PAGES = ["home", "profile", "phone", "skills", "bank", "documents", "attestations", "availability"]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path


@pytest.fixture
def as_alice(client, alice):
    client.force_login(alice)
    return client


def _pdf(name="id.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.mark.parametrize("name", PAGES)
def test_every_profile_page_opens_with_the_progress_indicator(as_alice, name):
    response = as_alice.get(reverse(f"agents:{name}"))
    assert response.status_code == 200
    assert "<progress" in response.content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_other_roles_cannot_open_agent_pages(client, carol, victor, name):
    for user in (carol, victor):
        client.force_login(user)
        assert client.get(reverse(f"agents:{name}")).status_code == 403


def test_the_city_is_picked_from_the_gazetteer(as_alice, alice):
    response = as_alice.get(reverse("agents:city_options"), {"city": "Madu"})
    assert "Madurai, Tamil Nadu, IN" in response.content.decode()
    response = as_alice.post(
        reverse("agents:profile"),
        {"full_name": "Alice Fernandes", "city": "Madurai, Tamil Nadu", "former_employer": "LIC"},
    )
    assert response.status_code == 302
    alice.agent_profile.refresh_from_db()
    assert alice.agent_profile.city == "Madurai"


def test_an_unknown_city_gets_a_message_on_the_form(as_alice):
    response = as_alice.post(reverse("agents:profile"), {"full_name": "Alice", "city": "Atlantis"})
    assert "Choose your city from the list" in response.content.decode()


def test_the_phone_is_confirmed_with_the_sms_code(as_alice, alice, smsbox):
    response = as_alice.post(reverse("agents:phone"), {"step": "send", "phone": "+91 98450 12345"})
    assert response.status_code == 302
    code = re.search(r"\d{6}", smsbox[0].body).group(0)
    response = as_alice.post(reverse("agents:phone"), {"step": "confirm", "code": "12"})
    assert "The code has six digits" in response.content.decode()
    response = as_alice.post(reverse("agents:phone"), {"step": "confirm", "code": code})
    assert response.status_code == 302
    alice.agent_profile.refresh_from_db()
    assert str(alice.agent_profile.phone) == "+919845012345"


def test_an_invalid_bank_account_is_explained_and_not_saved(as_alice, alice):
    response = as_alice.post(
        reverse("agents:bank"),
        {"holder_name": "Alice", "ifsc": "SBIN1234567", "account_number": "1234567890"},
    )
    assert response.status_code == 200
    assert "IFSC" in response.content.decode()
    alice.agent_profile.refresh_from_db()
    assert alice.agent_profile.bank_account == ""


def test_the_bank_page_shows_only_the_last_four_digits(as_alice):
    as_alice.post(
        reverse("agents:bank"),
        {"holder_name": "Alice", "ifsc": "SBIN0001234", "account_number": "123456789012"},
    )
    body = as_alice.get(reverse("agents:bank")).content.decode()
    assert "•••• 9012" in body
    assert "123456789012" not in body


def test_an_executable_renamed_pdf_is_refused_with_a_message(as_alice, alice):
    response = as_alice.post(
        reverse("agents:documents"),
        {"kind": "identity", "file": SimpleUploadedFile("id.pdf", b"MZ\x90\x00" + b"\0" * 100)},
    )
    assert "Only PDF, JPEG or PNG files are accepted" in response.content.decode()
    assert not alice.agent_profile.documents.exists()


def test_a_document_is_uploaded_and_served_to_its_owner_only(client, alice, bob):
    client.force_login(alice)
    client.post(reverse("agents:documents"), {"kind": "identity", "file": _pdf()})
    document = alice.agent_profile.documents.get()
    response = client.get(reverse("agents:document", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF

    client.force_login(bob)
    assert client.get(reverse("agents:document", args=[document.pk])).status_code == 404


def test_documents_have_no_public_url(alice):
    document = document_upload(agent=alice.agent_profile, kind="address", file=_pdf())
    with pytest.raises(ValueError):
        document.file.url


def test_attestations_record_version_and_ip(as_alice, alice):
    data = {a.kind: "on" for a in ATTESTATIONS}
    response = as_alice.post(reverse("agents:attestations"), data, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    rows = alice.agent_profile.attestations.all()
    assert {(r.kind, r.version, r.ip_address) for r in rows} == {
        (a.kind, a.version, "203.0.113.9") for a in ATTESTATIONS
    }


def test_an_attestation_left_unticked_is_required(as_alice, alice):
    response = as_alice.post(reverse("agents:attestations"), {ATTESTATIONS[0].kind: "on"})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not alice.agent_profile.attestations.exists()


def test_availability_needs_both_times_of_a_day(as_alice, alice):
    response = as_alice.post(reverse("agents:availability"), {"start_0": "09:00"})
    assert "Give both times for Monday" in response.content.decode()
    response = as_alice.post(reverse("agents:availability"), {"start_0": "09:00", "end_0": "13:00"})
    assert response.status_code == 302
    assert alice.agent_profile.availability.count() == 1


def test_submitting_an_incomplete_profile_says_what_is_missing(as_alice, alice):
    response = as_alice.post(reverse("agents:submit"), follow=True)
    assert "Before you submit, please add" in response.content.decode()
    alice.agent_profile.refresh_from_db()
    assert alice.agent_profile.status == AgentProfile.Status.APPLIED


def test_the_duty_switch_answers_htmx_with_the_fragment(as_alice, alice):
    AgentProfile.objects.filter(user=alice).update(status="verified")
    response = as_alice.post(reverse("agents:duty"), {"available": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "You are <strong>available</strong>" in response.content.decode()
    assert "<html" not in response.content.decode()


def test_an_unverified_agent_cannot_go_available(as_alice, alice):
    response = as_alice.post(reverse("agents:duty"), {"available": "1"}, HTTP_HX_REQUEST="true")
    assert "Only verified agents can go available" in response.content.decode()
    alice.agent_profile.refresh_from_db()
    assert alice.agent_profile.duty_status == "offline"


def test_an_agent_removes_her_own_language_and_skill_and_nobody_elses(as_alice, alice, bob):
    mine = AgentLanguage.objects.create(agent=alice.agent_profile, language="ta", proficiency=4)
    skill = AgentSkill.objects.create(
        agent=alice.agent_profile, domain="insurance", level=3, years=2
    )
    theirs = AgentLanguage.objects.create(agent=bob.agent_profile, language="ta", proficiency=4)
    url = reverse("agents:skills")
    for action, pk in [("remove_language", theirs.pk), ("remove_language", "x")]:
        assert as_alice.post(url, {"action": action, "pk": pk}).status_code == 302
    assert AgentLanguage.objects.filter(pk__in=[mine.pk, theirs.pk]).count() == 2
    as_alice.post(url, {"action": "remove_language", "pk": mine.pk})
    as_alice.post(url, {"action": "remove_skill", "pk": skill.pk})
    assert not AgentLanguage.objects.filter(pk=mine.pk).exists()
    assert not AgentSkill.objects.filter(pk=skill.pk).exists()
    assert AgentLanguage.objects.filter(pk=theirs.pk).exists()
