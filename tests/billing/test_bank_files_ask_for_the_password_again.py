"""Issue 13: the bank files (NEFT, pain.001) move money, so finance gives the password again
(allauth's reauthentication) before one downloads; CSV and XLSX do not ask."""

import pytest
from django.urls import resolve, reverse

from billing.models import PayoutExport
from common.models import AuditRecord
from tests.conftest import reauthenticated
from tests.factories import PASSWORD

# Exports are built by a task: inline here (the test's data is not committed for a worker).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager")]


def _export(client, format: str):
    return client.post(reverse("finance:export"), {"format": format})


@pytest.mark.parametrize("format", ["neft", "pain001"])
def test_a_bank_file_sends_finance_to_enter_the_password_first(client, fiona, format):
    client.force_login(fiona)
    answer = _export(client, format)
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("account_reauthenticate"))
    assert not AuditRecord.objects.filter(action="export").exists()  # nothing exported


@pytest.mark.parametrize("format", ["neft", "pain001"])
def test_after_the_password_the_bank_file_downloads(client, fiona, format):
    client.force_login(fiona)
    reauthenticated(client)
    answer = _export(client, format)
    assert answer.status_code == 302
    if answer["Location"] == reverse("finance:payouts"):  # nothing to pay by IBAN: a message
        assert format == "pain001"
    else:  # the export's page, where the file is downloaded once ready
        assert resolve(answer["Location"]).url_name == "export_detail"
        assert AuditRecord.objects.filter(action="export", detail__format=format).exists()


def test_the_password_is_asked_for_on_the_reauthentication_page(client, fiona):
    client.force_login(fiona)
    page = client.get(_export(client, "neft")["Location"])
    assert page.status_code == 200 and 'name="password"' in page.content.decode()


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_spreadsheets_do_not_ask_again(client, fiona, format):
    client.force_login(fiona)
    answer = _export(client, format)
    assert answer.status_code == 302
    assert resolve(answer["Location"]).url_name == "export_detail"


def test_the_export_asked_for_before_the_password_goes_ahead_after_it(client, fiona):
    # allauth keeps the POST while finance gives the password and replays it: one click.
    client.force_login(fiona)
    asked = _export(client, "neft")
    answer = client.post(asked["Location"], {"password": PASSWORD})
    assert answer.status_code == 302
    assert resolve(answer["Location"]).url_name == "export_detail"
    assert PayoutExport.objects.filter(kind="neft", actor=fiona).count() == 1


def test_an_export_is_never_made_by_a_link(client, fiona):
    client.force_login(fiona)
    reauthenticated(client)
    answer = client.get(reverse("finance:export"), {"format": "csv"})  # a GET, e.g. a link
    assert answer.status_code == 405
    assert not PayoutExport.objects.exists()
