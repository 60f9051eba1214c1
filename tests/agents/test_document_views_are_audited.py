"""Staff opening an agent's document leaves an audit record naming the document and whose it
is — never its contents; only vetting (and administrators) open documents."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agents.documents import document_upload, document_viewed
from common.errors import NotAllowed
from common.models import AuditRecord

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def document(alice, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("passport.pdf", PDF)
    return document_upload(agent=alice.agent_profile, kind="identity", file=upload)


def test_victor_opening_a_document_is_recorded_without_its_contents(client, victor, document):
    client.force_login(victor)
    response = client.get(reverse("vetting:document", args=[document.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    record = AuditRecord.objects.about(document).get()
    assert (record.action, record.actor) == ("document_viewed", victor)
    assert record.detail == {"agent": document.agent_id, "kind": "identity"}
    assert "PDF" not in str(record.detail) and document.sha256 not in str(record.detail)


def test_the_agents_own_download_and_a_refused_view_record_nothing(client, alice, fiona, document):
    client.force_login(alice)
    assert client.get(reverse("agents:document", args=[document.pk])).status_code == 200
    client.force_login(fiona)
    assert client.get(reverse("vetting:document", args=[document.pk])).status_code == 403
    assert not AuditRecord.objects.filter(action="document_viewed").exists()


def test_only_vetting_may_view_even_past_the_page(alice, fiona, document):
    for actor in (alice, fiona):
        with pytest.raises(NotAllowed):
            document_viewed(actor=actor, document=document)
