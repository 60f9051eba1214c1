"""List uploads may be larger than a document's 5 MB (they stream to a temporary file), up to
CAMPAIGNS_IMPORT_MAX_BYTES; a bigger request is refused by its declared size before its body
is read. Other upload URLs keep the 5 MB bound."""

import pytest
from django.urls import reverse

from agents.uploads import MAX_DOCUMENT_BYTES, upload_bound
from campaigns.models import ContactList, ImportJob
from tests.campaigns.helpers import csv_upload

pytestmark = pytest.mark.django_db
ROW = "+919845012345,Someone with a long enough name to fill the file\n"


@pytest.fixture
def sales(acme):
    return ContactList.objects.create(firm=acme, name="Sales")


def test_a_list_larger_than_a_document_is_accepted(client, carol, sales):
    text = "number,name\n" + ROW * (6 * 1024 * 1024 // len(ROW))
    client.force_login(carol)
    url = reverse("outbound:list_upload", args=[sales.pk])
    assert client.post(url, {"file": csv_upload(text)}).status_code == 302
    assert ImportJob.objects.get().bytes_total > MAX_DOCUMENT_BYTES


def test_a_request_over_the_import_bound_is_refused_before_it_is_read(
    client, carol, sales, settings
):
    settings.CAMPAIGNS_IMPORT_MAX_BYTES = 1000
    client.force_login(carol)
    url = reverse("outbound:list_upload", args=[sales.pk])
    answer = client.post(url, {"file": csv_upload("number,name\n" + ROW * 2000)})
    assert answer.status_code == 400 and "larger than" in answer.content.decode()
    assert not ImportJob.objects.exists()


def test_only_the_outbound_upload_urls_get_the_larger_bound(settings):
    assert upload_bound("/client/outbound/lists/3/upload/") == settings.CAMPAIGNS_IMPORT_MAX_BYTES
    assert upload_bound("/staff/outbound/registry/upload/") == settings.CAMPAIGNS_IMPORT_MAX_BYTES
    assert upload_bound("/client/contacts/upload/") == MAX_DOCUMENT_BYTES
    assert upload_bound("/agent/documents/") == MAX_DOCUMENT_BYTES
