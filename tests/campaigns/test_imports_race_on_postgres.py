"""Imports under real concurrency (PostgreSQL, real threads): two deliveries of one job import
it once; two imports naming the same contacts into one firm are applied one after the other
(the firm's row lock), so a contact is never made twice."""

import pytest

from campaigns.imports import import_run, import_start
from campaigns.models import ContactList, ImportJob
from clients.models import Contact, ContactNumber
from tests.campaigns.helpers import csv_upload
from tests.routing.concurrency import in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
TEXT = "number,name\n" + "".join(f"+91984501{n:04d},Person {n}\n" for n in range(300))


def together(*jobs):
    """Each job on its own thread, all starting at once; their results (or errors) in order."""
    return in_threads(list(jobs), together=len(jobs), workers=len(jobs))


@pytest.fixture
def start(acme, carol, monkeypatch):
    monkeypatch.setattr("campaigns.tasks.import_publish", lambda **kw: None)

    def started(name: str) -> ImportJob:
        listed = ContactList.objects.create(firm=acme, name=name)
        return import_start(
            actor=carol, kind="contacts", firm=acme, contact_list=listed, upload=csv_upload(TEXT)
        )

    return started


def test_two_deliveries_of_one_job_import_it_once(start):
    job = start("Sales")
    outcomes = together(lambda: import_run(job_id=job.pk), lambda: import_run(job_id=job.pk))
    assert sorted("skipped" in o for o in outcomes) == [False, True], outcomes
    assert Contact.objects.count() == 300 and ContactNumber.objects.count() == 300


def test_two_imports_of_the_same_contacts_make_each_contact_once(start):
    first, second = start("Sales"), start("Renewals")
    outcomes = together(lambda: import_run(job_id=first.pk), lambda: import_run(job_id=second.pk))
    assert all(o == {"job": o["job"], "rows": 300} for o in outcomes), outcomes
    assert Contact.objects.count() == 300
    assert {cl.members.count() for cl in ContactList.objects.all()} == {300}
