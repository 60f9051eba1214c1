"""An export built by a real Celery worker (RabbitMQ or Redis) on PostgreSQL: the request
commits the record, the worker — another process — writes the file, the page then links it
and the owner downloads what the worker wrote."""

import csv
import io
import shutil

import pytest
from django.conf import settings
from django.urls import reverse

from billing.exports import sheet_header
from billing.models import PayoutExport
from tests.billing.exporting import INDIAN_ACCOUNT, approved_run, bank
from tests.billing.test_settlement_on_postgres import wait_until
from tests.conftest import reauthenticated

pytestmark = [
    pytest.mark.broker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def _private_media():
    """The worker stores the file where its own settings say (PRIVATE_MEDIA_ROOT from the
    environment, as in production): this test reads it there too, and removes what it made."""
    yield
    shutil.rmtree(settings.PRIVATE_MEDIA_ROOT / "exports", ignore_errors=True)


def test_a_worker_builds_the_file_and_the_owner_downloads_it(
    celery_worker, client, fiona, alice, bob, acme
):
    bank(alice, account=INDIAN_ACCOUNT, ifsc="SBIN0001234")
    approved_run(acme, (alice, "28.00"), (bob, "100.00"))
    client.force_login(fiona)
    reauthenticated(client)
    answer = client.post(reverse("finance:export"), {"format": "csv"})
    export = PayoutExport.objects.get()
    assert answer.url == reverse("finance:export_detail", args=[export.pk])
    ready = wait_until(
        lambda: PayoutExport.objects.filter(pk=export.pk, status="ready").first(),
        what="the worker to finish the export",
    )
    assert ready.lease_holder.startswith("pytest-") and ready.done == 2
    page = client.get(reverse("finance:export_progress", args=[export.pk])).content.decode()
    assert reverse("finance:export_download", args=[export.pk]) in page
    response = client.get(reverse("finance:export_download", args=[export.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == sheet_header(["INR"])
    assert sorted(row[12] for row in rows[1:]) == ["25.20", "90.00"]
