"""The do-not-call page (add one number, upload a file, remove one, entries by cursor) for
its keepers, read-only for a complete-BPO firm's users; the staff's registry page: agency
administrators upload extracts and follow them; no other staff, no firm, no other firm."""

import pytest
from django.urls import reverse

from campaigns.imports import suppression_add
from campaigns.models import ImportJob, SuppressionEntry
from tests.campaigns.helpers import csv_upload

pytestmark = pytest.mark.django_db
Source = SuppressionEntry.Source


def test_a_keeper_adds_and_removes_a_number(client, carol, acme):
    client.force_login(carol)
    answer = client.post(reverse("outbound:dnc"), {"number": "098450 12345"})
    assert answer.status_code == 302
    entry = SuppressionEntry.objects.get(firm=acme)
    assert str(entry.number) == "+919845012345" and entry.source == Source.ADDED
    page = client.get(reverse("outbound:dnc")).content.decode()
    assert "+91 98450 12345" in page and "Version 1." in page
    url = reverse("outbound:dnc_remove", args=[entry.pk])
    assert "Take it off" in client.get(url).content.decode()  # a confirmation page first
    assert client.post(url).status_code == 302 and not SuppressionEntry.objects.exists()


def test_a_bad_number_is_refused_next_to_the_field(client, carol):
    client.force_login(carol)
    page = client.post(reverse("outbound:dnc"), {"number": "12"}).content.decode()
    assert "“12” is not a phone number." in page and not SuppressionEntry.objects.exists()


def test_a_keeper_uploads_do_not_call_numbers(client, carol):
    client.force_login(carol)
    answer = client.post(
        reverse("outbound:dnc_upload"), {"file": csv_upload("number\n+919845012345\n")}
    )
    job = ImportJob.objects.get()
    assert job.kind == "suppression" and answer["Location"] == reverse(
        "outbound:import", args=[job.pk]
    )


def test_a_complete_bpo_firms_user_only_reads_its_do_not_call_list(client, dave, globex):
    suppression_add(actor=None, firm=globex, number="+919845012345", source=Source.OPT_OUT)
    client.force_login(dave)
    page = client.get(reverse("outbound:dnc")).content.decode()
    assert "+91 98450 12345" in page and "Add a number" not in page
    assert client.post(reverse("outbound:dnc"), {"number": "+919845012346"}).status_code == 403
    entry = SuppressionEntry.objects.get()
    assert client.post(reverse("outbound:dnc_remove", args=[entry.pk])).status_code == 403


def test_another_firms_number_cannot_be_removed(client, carol, globex):
    entry = suppression_add(actor=None, firm=globex, number="+919845012345", source=Source.OPT_OUT)
    client.force_login(carol)
    assert client.get(reverse("outbound:dnc_remove", args=[entry.pk])).status_code == 404
    assert "98450" not in client.get(reverse("outbound:dnc")).content.decode()


def test_the_agency_uploads_a_registry_extract_and_follows_it(
    client, root, eager, django_capture_on_commit_callbacks
):
    client.force_login(root)
    text = "number,blocked\n+919845012345,full\n+919845012346,1;2\n"
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("outbound_staff:registry_upload"), {"file": csv_upload(text)})
    job = ImportJob.objects.get()
    assert answer["Location"] == reverse("outbound_staff:registry_import", args=[job.pk])
    assert "Imported" in client.get(answer["Location"]).content.decode()
    page = client.get(reverse("outbound_staff:home")).content.decode()
    assert "list.csv" in page and "<td>2</td>" in page


def test_the_agency_keeps_a_complete_bpo_firms_do_not_call_list(client, root, globex):
    client.force_login(root)
    assert "Globex Telecom" in client.get(reverse("outbound_staff:home")).content.decode()
    answer = client.post(
        reverse("outbound_staff:dnc", args=[globex.pk]), {"number": "+919845012345"}
    )
    assert answer.status_code == 302 and SuppressionEntry.objects.get().firm == globex


@pytest.mark.parametrize("who", ["victor", "fiona", "carol"])
def test_only_agency_administrators_reach_the_staff_pages(client, who, request, globex):
    client.force_login(request.getfixturevalue(who))
    for url in [
        reverse("outbound_staff:home"),
        reverse("outbound_staff:lists", args=[globex.pk]),
        reverse("outbound_staff:dnc", args=[globex.pk]),
    ]:
        assert client.get(url).status_code == 403, url
    answer = client.post(reverse("outbound_staff:registry_upload"), {"file": csv_upload("x")})
    assert answer.status_code == 403 and not ImportJob.objects.exists()


def test_a_staff_import_page_names_its_firm(client, root, acme, globex):
    job = ImportJob.objects.create(kind="suppression", firm=globex)
    client.force_login(root)
    assert client.get(reverse("outbound_staff:import", args=[globex.pk, job.pk])).status_code == 200
    assert client.get(reverse("outbound_staff:import", args=[acme.pk, job.pk])).status_code == 404
    assert client.get(reverse("outbound_staff:registry_import", args=[job.pk])).status_code == 404
