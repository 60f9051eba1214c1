"""The bulk writes (COPY on PostgreSQL, the ORM elsewhere) keep every value as the file gave
it: quotes, commas, backslashes, COPY's own markers and non-Latin text; an empty external id stays
empty (never NULL); a second import updates the stored contacts in place."""

import pytest

from campaigns.imports import import_run, import_start
from campaigns.models import ContactList, ImportJob, ListMember
from clients.models import Contact, ContactNumber
from tests.campaigns.helpers import csv_upload

pytestmark = pytest.mark.django_db
TRICKY = 'Rao, "Asha" \\N \\. ಕನ್ನಡ'
TEXT = (
    "number,name,external_id,note\n"
    f'+919845012345,"{TRICKY.replace(chr(34), chr(34) * 2)}",,"one, two"\n'
    "+919845012346,Ravi,C-2,\\.\n"
)


@pytest.fixture
def sales(acme):
    return ContactList.objects.create(firm=acme, name="Sales")


def imported(carol, acme, sales, text: str) -> ImportJob:
    job = import_start(
        actor=carol, kind="contacts", firm=acme, contact_list=sales, upload=csv_upload(text)
    )
    import_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_values_are_written_exactly_as_the_file_gave_them(carol, acme, sales):
    job = imported(carol, acme, sales, TEXT)
    assert job.status == ImportJob.Status.DONE, job.errors
    asha = Contact.objects.get(firm=acme, name=TRICKY)
    assert (asha.external_id, asha.fields) == ("", {"note": "one, two"})
    assert Contact.objects.get(external_id="C-2").fields == {"note": "\\."}
    assert ContactNumber.objects.get(contact=asha).number == "+919845012345"


def test_a_second_import_updates_the_stored_contacts_and_keeps_them_listed_once(carol, acme, sales):
    imported(carol, acme, sales, TEXT)
    job = imported(carol, acme, sales, "number,name,note\n+919845012345,Asha R.,new\n")
    assert (job.created_count, job.updated_count) == (0, 1)
    asha = Contact.objects.get(name="Asha R.")
    assert asha.fields == {"note": "new"} and asha.updated_at > asha.created_at
    assert ListMember.objects.filter(contact_list=sales).count() == 2
