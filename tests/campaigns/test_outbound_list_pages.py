"""The firm's list pages: a keeper uploads a CSV and follows the import's progress to its
bad rows; the contacts of a list page by cursor, numbers whole; who may upload (a partial-BPO
firm's admins, not its members; not a complete-BPO firm's users, who only view; the agency's
administrators for any firm) and nothing of another firm's is reachable."""

import pytest
from django.urls import reverse

from campaigns.models import ContactList, ImportJob
from clients.models import Contact, FirmMember
from tests.campaigns.helpers import csv_upload
from tests.factories import FirmMemberFactory

pytestmark = pytest.mark.django_db
GOOD = "number,name\n+919845012345,Ravi Kumar\n+919845012346,Asha Rao\n"


@pytest.fixture
def sales(acme):
    return ContactList.objects.create(firm=acme, name="Sales")


@pytest.fixture
def renewals(globex):
    return ContactList.objects.create(firm=globex, name="Renewals")


def upload(client, url, text):
    return client.post(url, {"file": csv_upload(text)})


def test_a_keeper_uploads_a_list_and_follows_its_progress(
    client, carol, sales, eager, django_capture_on_commit_callbacks
):
    client.force_login(carol)
    with django_capture_on_commit_callbacks(execute=True):
        answer = upload(client, reverse("outbound:list_upload", args=[sales.pk]), GOOD)
    job = ImportJob.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "outbound:import", args=[job.pk]
    )
    page = client.get(answer["Location"]).content.decode()
    assert "<progress" in page and "2 rows read: 2 good, 0 bad" in page
    assert 'hx-trigger="every 1s"' not in page  # done: no more polling
    contacts = client.get(reverse("outbound:list_contacts", args=[sales.pk])).content.decode()
    assert "Ravi Kumar" in contacts and "+91 98450 12345" in contacts  # the firm's own: whole


def test_a_running_import_polls_its_progress_every_second(client, carol, sales):
    client.force_login(carol)
    upload(client, reverse("outbound:list_upload", args=[sales.pk]), GOOD)
    job = ImportJob.objects.get()  # queued: no task ran
    fragment = client.get(reverse("outbound:import_progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "Waiting to start" in fragment


def test_bad_rows_are_shown_with_their_row_numbers(
    client, carol, sales, eager, django_capture_on_commit_callbacks
):
    client.force_login(carol)
    with django_capture_on_commit_callbacks(execute=True):
        answer = upload(client, reverse("outbound:list_upload", args=[sales.pk]), GOOD + "123,X\n")
    page = client.get(answer["Location"]).content.decode()
    assert "Not imported: bad rows" in page
    assert "<td>4</td><td>“123” is not a phone number</td>" in page
    assert not Contact.objects.exists()


def test_a_renamed_binary_is_refused_on_the_form(client, carol, sales):
    client.force_login(carol)
    answer = upload(client, reverse("outbound:list_upload", args=[sales.pk]), b"%PDF-1.4\x00\x01")
    assert answer.status_code == 400 and "not text" in answer.content.decode()
    assert not ImportJob.objects.exists()


def test_a_plain_member_sees_lists_but_cannot_upload(client, acme, sales):
    member = FirmMemberFactory(firm=acme, role=FirmMember.Role.MEMBER).user
    client.force_login(member)
    assert client.get(reverse("outbound:list", args=[sales.pk])).status_code == 200
    assert upload(client, reverse("outbound:list_upload", args=[sales.pk]), GOOD).status_code == 403
    assert client.post(reverse("outbound:lists"), {"name": "Mine"}).status_code == 403


def test_a_complete_bpo_firms_admin_views_its_lists_but_the_agency_uploads(
    client, dave, root, globex, renewals
):
    client.force_login(dave)
    page = client.get(reverse("outbound:list", args=[renewals.pk])).content.decode()
    assert "The agency keeps this list for you." in page and "Upload" not in page
    assert (
        upload(client, reverse("outbound:list_upload", args=[renewals.pk]), GOOD).status_code == 403
    )
    client.force_login(root)
    url = reverse("outbound_staff:list_upload", args=[globex.pk, renewals.pk])
    answer = upload(client, url, GOOD)
    job = ImportJob.objects.get()
    assert answer["Location"] == reverse("outbound_staff:import", args=[globex.pk, job.pk])
    assert job.firm == globex and job.created_by == root


def test_an_admin_makes_a_list(client, carol, acme):
    client.force_login(carol)
    answer = client.post(reverse("outbound:lists"), {"name": "Renewals 2027"})
    made = ContactList.objects.get(firm=acme)
    assert answer["Location"] == reverse("outbound:list", args=[made.pk])
    assert "Renewals 2027" in client.get(reverse("outbound:lists")).content.decode()


def test_another_firms_list_and_imports_are_not_found(client, carol, renewals, root, globex):
    job = ImportJob.objects.create(kind="contacts", firm=globex, contact_list=renewals)
    client.force_login(carol)
    for name, args in [
        ("outbound:list", [renewals.pk]),
        ("outbound:list_contacts", [renewals.pk]),
        ("outbound:import", [job.pk]),
        ("outbound:import_progress", [job.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    assert (
        upload(client, reverse("outbound:list_upload", args=[renewals.pk]), GOOD).status_code == 404
    )
    assert "Renewals" not in client.get(reverse("outbound:lists")).content.decode()


def test_a_registry_import_is_not_a_firms_page(client, carol, root):
    job = ImportJob.objects.create(kind="registry", created_by=root)
    client.force_login(carol)
    assert client.get(reverse("outbound:import", args=[job.pk])).status_code == 404


def test_the_contacts_of_a_list_page_by_cursor(client, carol, acme, sales):
    from campaigns.models import ListMember

    for n in range(55):
        contact = Contact.objects.create(firm=acme, name=f"Person {n:02d}")
        ListMember.objects.create(contact_list=sales, contact=contact)
    client.force_login(carol)
    first = client.get(reverse("outbound:list_contacts", args=[sales.pk]))
    assert "Person 00" in first.content.decode() and "Person 54" not in first.content.decode()
    second = client.get(
        first.context["page"].next_url
        and reverse("outbound:list_contacts", args=[sales.pk]) + first.context["page"].next_url
    )
    assert "Person 54" in second.content.decode()
