"""A contact list streams in from CSV or XLSX: rows checked with the firm's upload rules,
duplicates merged by external id or number, time zones from the file or the number, the
list's version and count bumped; a bad row refuses the whole file, naming its row."""

import pytest

from campaigns import imports
from campaigns.imports import import_run, import_start
from campaigns.models import ContactList, ImportJob, ImportRow, ListMember
from clients.models import Contact, ContactNumber
from common.models import AuditAction, AuditRecord
from tests.campaigns.helpers import csv_upload, xlsx_upload

pytestmark = pytest.mark.django_db

GOOD = (
    "number,name,language,external_id,time_zone,plan\n"
    "+919845012345,Ravi Kumar,kn,C-1,,Gold\n"
    "098450 12346;+14155550123,Asha Rao,Tamil,C-2,,Silver\n"
    "+12125550100,Sam Lee,English,,America/Chicago,\n"
    "+919845012345,Ravi K.,,C-1,,Platinum\n"
)


@pytest.fixture
def sales(acme, carol):
    return ContactList.objects.create(firm=acme, name="Sales", created_by=carol)


def started(carol, acme, sales, upload) -> ImportJob:
    job = import_start(
        actor=carol, kind=ImportJob.Kind.CONTACTS, firm=acme, contact_list=sales, upload=upload
    )
    import_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_a_csv_list_is_imported_with_duplicates_merged(carol, acme, sales):
    job = started(carol, acme, sales, csv_upload(GOOD))
    assert job.status == ImportJob.Status.DONE and job.percent == 100
    assert (job.rows_read, job.rows_ok, job.rows_bad) == (4, 4, 0)
    assert (job.created_count, job.updated_count, job.rows_merged) == (3, 0, 1)
    assert job.bytes_read == job.bytes_total == len(GOOD.encode())
    ravi = Contact.objects.get(firm=acme, external_id="C-1")
    assert (ravi.name, ravi.language, ravi.fields) == ("Ravi K.", "kn", {"plan": "Platinum"})
    assert ravi.time_zone == "Asia/Kolkata"  # the number's one zone (by its current name)
    asha = Contact.objects.get(external_id="C-2")
    assert asha.time_zone == ""  # India and the US: no one zone
    assert Contact.objects.get(name="Sam Lee").time_zone == "America/Chicago"  # as given
    sales.refresh_from_db()
    assert (sales.version, sales.members_count) == (1, 3)
    assert not ImportRow.objects.exists()  # staging emptied


def test_a_second_import_updates_stored_contacts_by_number(carol, acme, sales):
    started(carol, acme, sales, csv_upload(GOOD))
    job = started(carol, acme, sales, csv_upload("number,name\n+919845012346,Asha R.\n"))
    assert (job.created_count, job.updated_count) == (0, 1)
    assert Contact.objects.get(external_id="C-2").name == "Asha R."
    sales.refresh_from_db()
    assert (sales.version, sales.members_count) == (2, 3)


def test_an_xlsx_list_is_imported_with_numbers_typed_as_numbers(carol, acme, sales):
    rows = [["Number", "Name", "External_ID"], [919845012345, "Ravi", "C-1"], [None, None, None]]
    rows.append(["+919845012399", "Meena", 7])
    job = started(carol, acme, sales, xlsx_upload(rows))
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.file_format == "xlsx" and job.rows_ok == 2
    assert set(ContactNumber.objects.values_list("number", flat=True)) == {
        "+919845012345",
        "+919845012399",
    }
    assert Contact.objects.get(name="Meena").external_id == "7"


def test_bad_rows_are_reported_with_their_numbers_and_nothing_is_imported(carol, acme, sales):
    text = GOOD + "12345,Bad,,,,\n+919845012347,Bad Language,xx,,,\n,No Number,,,,\n1,2,3,4,5,6,7\n"
    job = started(carol, acme, sales, csv_upload(text))
    assert job.status == ImportJob.Status.REFUSED
    assert job.errors == [
        {"row": 6, "reason": "“12345” is not a phone number"},
        {"row": 7, "reason": "“xx” is not a language we know"},
        {"row": 8, "reason": "no number"},
        {"row": 9, "reason": "more cells than columns"},
    ]
    assert (job.rows_read, job.rows_ok, job.rows_bad) == (8, 4, 4)
    assert not Contact.objects.exists() and not ListMember.objects.exists()
    assert not ImportRow.objects.exists()
    sales.refresh_from_db()
    assert sales.version == 0


def test_a_row_whose_numbers_belong_to_two_contacts_refuses_the_import(carol, acme, sales):
    started(carol, acme, sales, csv_upload(GOOD))
    job = started(carol, acme, sales, csv_upload("number,name\n+919845012345;+919845012346,X\n"))
    assert job.status == ImportJob.Status.REFUSED
    reason = "the number +919845012346 belongs to another contact"
    assert job.errors == [{"row": 2, "reason": reason}]
    assert Contact.objects.count() == 3 and not Contact.objects.filter(name="X").exists()


def test_only_the_first_thousand_bad_rows_are_kept_but_all_are_counted(carol, acme, sales):
    text = "number\n" + "bad\n" * 1500
    job = started(carol, acme, sales, csv_upload(text))
    assert (job.rows_bad, len(job.errors)) == (1500, imports.ERRORS_KEPT)


def test_progress_is_written_every_batch(carol, acme, sales, monkeypatch):
    monkeypatch.setattr(imports, "BATCH", 2)
    seen = []
    renew = imports._Run.renew

    def spy(self, **fields):
        seen.append(fields.get("bytes_read"))
        return renew(self, **fields)

    monkeypatch.setattr(imports._Run, "renew", spy)
    job = started(carol, acme, sales, csv_upload(GOOD))
    assert job.status == ImportJob.Status.DONE
    assert len(seen) >= 3 and seen[0] > 0 and seen == sorted(seen)


def test_start_and_finish_are_audited_with_counts_only(carol, acme, sales):
    started(carol, acme, sales, csv_upload(GOOD))
    records = AuditRecord.objects.about(sales)
    assert set(records.values_list("action", flat=True)) == {
        AuditAction.OUTBOUND_IMPORT_STARTED,
        AuditAction.OUTBOUND_IMPORT_DONE,
    }
    for record in records:
        assert "Ravi" not in str(record.detail) and "98450" not in str(record.detail)


def test_two_rows_of_different_external_ids_sharing_a_number_refuse_the_file(carol, acme, sales):
    text = "number,external_id\n+919845012345,A-1\n+919845012345,B-2\n"
    job = started(carol, acme, sales, csv_upload(text))
    assert job.status == ImportJob.Status.REFUSED and [e["row"] for e in job.errors] == [3]
    assert "external id A-1" in job.errors[0]["reason"] and not Contact.objects.exists()
