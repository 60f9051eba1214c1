"""A file is judged by its content, not its name: a renamed binary, a zip that is no
workbook and text that is not UTF-8 are refused before anything is stored; so is a file over
CAMPAIGNS_IMPORT_MAX_BYTES. The byte-order mark Excel writes is fine."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns import readers
from campaigns.imports import import_run, import_start
from campaigns.models import ContactList, ImportJob
from clients.models import Contact
from common.errors import ApplicationError
from tests.campaigns.helpers import csv_upload

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def sales(acme):
    return ContactList.objects.create(firm=acme, name="Sales")


def start(carol, acme, sales, upload):
    return import_start(actor=carol, kind="contacts", firm=acme, contact_list=sales, upload=upload)


def a_zip(names: list[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (PNG, "not text"),
        (b"number\n\xff\xfe+9198\n", "not UTF-8"),
        (a_zip(["word/document.xml", "[Content_Types].xml"]), "not an Excel workbook"),
        (b"PK\x03\x04 and then nothing", "damaged zip"),
        (b"", "empty"),
    ],
)
def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(carol, acme, sales, data, why):
    with pytest.raises(ApplicationError, match=why):
        start(carol, acme, sales, SimpleUploadedFile("list.csv", data))
    assert not ImportJob.objects.exists()


def test_a_file_over_the_bound_is_refused(carol, acme, sales, settings):
    settings.CAMPAIGNS_IMPORT_MAX_BYTES = 100
    with pytest.raises(ApplicationError, match="larger than"):
        start(carol, acme, sales, csv_upload("number\n" + "+919845012345\n" * 10))


def test_a_byte_order_mark_is_fine(carol, acme, sales):
    job = start(carol, acme, sales, csv_upload("\ufeffnumber,name\n+919845012345,Ravi\n"))
    import_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and Contact.objects.get().name == "Ravi"


def test_bytes_that_stop_being_utf8_halfway_refuse_the_file_at_their_row(carol, acme, sales):
    text = b"number\n" + b"+919845012345\n" * 6000 + b"+91984\xff5012346\n"
    job = start(carol, acme, sales, csv_upload(text))
    import_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REFUSED
    assert job.errors[-1]["reason"] == "the file is not UTF-8 text from here on"
    assert not Contact.objects.exists()


def test_a_file_without_a_number_column_is_refused_on_row_one(carol, acme, sales):
    job = start(carol, acme, sales, csv_upload("name\nRavi\n"))
    import_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REFUSED
    assert job.errors == [{"row": 1, "reason": "there is no “number” column."}]


def test_the_csv_reader_streams_and_reports_bytes_read():
    data = ("number,name\n" + "+919845012345,Ravi\n" * 20_000).encode()
    reader = readers.rows_open(io.BytesIO(data), file_format="csv", size=len(data))
    positions = []
    for line, cells in reader.rows(["number", "name"]):
        if line % 5000 == 0:
            positions.append(reader.bytes_read)
    assert cells == {"number": "+919845012345", "name": "Ravi"} and line == 20_001
    assert positions == sorted(positions) and positions[0] < len(data) // 2
