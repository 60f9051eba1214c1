"""Nothing half-imported: a crash in the apply rolls everything back and leaves the job
leased; the sweep queues it again once the lease expires and the re-run imports it whole.
A worker the sweep replaced stops writing; a job sent too often fails."""

import datetime as dt

import pytest
from django.utils import timezone

from campaigns import imports
from campaigns.imports import import_run, import_start, imports_sweep
from campaigns.models import ContactList, ImportJob, ImportRow, ListMember
from clients.models import Contact, ContactNumber
from tests.campaigns.helpers import csv_upload

pytestmark = pytest.mark.django_db
Status = ImportJob.Status
TEXT = "number,name\n" + "".join(f"+91984501{n:04d},Person {n}\n" for n in range(30))


@pytest.fixture
def job(acme, carol, monkeypatch):
    monkeypatch.setattr("campaigns.tasks.import_publish", lambda **kw: None)  # no broker
    sales = ContactList.objects.create(firm=acme, name="Sales")
    monkeypatch.setattr(imports, "BATCH", 7)
    return import_start(
        actor=carol, kind="contacts", firm=acme, contact_list=sales, upload=csv_upload(TEXT)
    )


def crash_after_writing_a_batch(monkeypatch):
    write = imports.contacts_write
    calls = []

    def crashing(firm, items):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the worker fell over")
        return write(firm, items)

    monkeypatch.setattr(imports, "contacts_write", crashing)


def test_a_crash_in_the_apply_leaves_nothing_written(job, monkeypatch):
    crash_after_writing_a_batch(monkeypatch)
    with pytest.raises(RuntimeError):
        import_run(job_id=job.pk)
    assert not Contact.objects.exists() and not ContactNumber.objects.exists()
    assert not ListMember.objects.exists()
    job.refresh_from_db()
    assert job.status == Status.APPLYING and job.lease_until > timezone.now()
    assert import_run(job_id=job.pk)["skipped"]  # leased: a duplicate delivery does nothing


def test_the_sweep_requeues_a_job_whose_lease_expired_and_the_rerun_imports_it(job, monkeypatch):
    crash_after_writing_a_batch(monkeypatch)
    with pytest.raises(RuntimeError):
        import_run(job_id=job.pk)
    monkeypatch.undo()
    monkeypatch.setattr("campaigns.tasks.import_publish", lambda **kw: None)
    assert imports_sweep()["requeued"] == []  # still leased
    later = timezone.now() + dt.timedelta(seconds=imports.LEASE_SECONDS + 1)
    assert imports_sweep(now=later) == {"requeued": [job.pk], "failed": []}
    job.refresh_from_db()
    assert (job.status, job.requeues) == (Status.QUEUED, 1)
    import_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Status.DONE and job.rows_ok == 30
    assert Contact.objects.count() == 30 and not ImportRow.objects.exists()
    assert job.contact_list.members.count() == 30


def test_a_worker_whose_lease_was_taken_stops_writing(job, monkeypatch):
    renew = imports._Run.renew

    def swept_meanwhile(self, **fields):
        ImportJob.objects.filter(pk=self.job.pk).update(status=Status.QUEUED, lease_until=None)
        return renew(self, **fields)

    monkeypatch.setattr(imports._Run, "renew", swept_meanwhile)
    assert import_run(job_id=job.pk) == {"job": job.pk, "skipped": "lease lost"}
    assert not Contact.objects.exists() and not ImportRow.objects.exists()


def test_a_queued_job_whose_task_never_started_is_sent_again(job):
    later = timezone.now() + dt.timedelta(seconds=imports.START_WITHIN_SECONDS + 1)
    assert imports_sweep(now=later)["requeued"] == [job.pk]


def test_a_job_sent_too_often_fails(job):
    ImportJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, requeues=imports.MAX_REQUEUES, lease_until=timezone.now()
    )
    assert imports_sweep()["failed"] == [job.pk]
    job.refresh_from_db()
    assert job.status == Status.FAILED and "upload it again" in job.message
