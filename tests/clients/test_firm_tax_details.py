"""The firm's details for its tax invoices (issue 15): GSTIN validated by python-stdnum, in
the chosen state; set by the firm's admins or by finance, never by a plain member or another
firm; audited; a bad GSTIN is a form error that says what is wrong."""

import pytest
from django.urls import reverse

from clients.services import NotAllowed, firm_tax_details_set
from common.errors import ApplicationError
from common.models import AuditAction, AuditRecord
from tests.factories import FirmMemberFactory

GSTIN = "29AAKCK3307B1ZS"  # Karnataka
DETAILS = {
    "legal_name": "Acme Insurance Pvt Ltd",
    "billing_address": "1 Lavelle Road, Bengaluru",
    "state": "29",
    "gstin": GSTIN,
}


def test_a_firm_admin_sets_the_tax_details_and_it_is_audited(client, carol, acme):
    client.force_login(carol)
    response = client.post(reverse("clients:tax_details"), DETAILS)
    assert response.status_code == 302
    acme.refresh_from_db()
    assert (acme.gstin, acme.state, acme.legal_name) == (GSTIN, "29", "Acme Insurance Pvt Ltd")
    record = AuditRecord.objects.get(action=AuditAction.FIRM_UPDATED)
    assert record.actor == carol and record.after["gstin"] == GSTIN


@pytest.mark.parametrize(
    ("gstin", "message"),
    [
        ("29AAKCK3307B1Z", "has 15 characters"),
        ("29AAKCK3307B1ZT", "check character is wrong"),
        ("ABCDEFGHIJKLMNO", "not a valid GSTIN"),
        ("27AAGCA8810Q1Z5", "registered in Maharashtra (27), not in Karnataka (29)"),
    ],
)
def test_a_bad_gstin_is_a_form_error_that_says_why(client, carol, acme, gstin, message):
    client.force_login(carol)
    response = client.post(reverse("clients:tax_details"), {**DETAILS, "gstin": gstin})
    assert response.status_code == 200
    assert message in response.content.decode()
    acme.refresh_from_db()
    assert acme.gstin == ""


def test_a_gstin_without_a_state_takes_its_own_and_needs_an_address(carol, acme):
    firm = firm_tax_details_set(firm=acme, user=carol, **{**DETAILS, "state": ""})
    assert firm.state == "29"
    with pytest.raises(ApplicationError) as error:
        firm_tax_details_set(firm=acme, user=carol, **{**DETAILS, "billing_address": " "})
    assert error.value.field == "billing_address"


def test_an_unregistered_firm_gives_no_gstin(carol, acme):
    firm = firm_tax_details_set(
        firm=acme, user=carol, legal_name="", billing_address="", state="33", gstin=""
    )
    assert firm.gstin == "" and firm.state == "33"


def test_a_plain_member_reads_but_cannot_change_them(client, acme):
    member = FirmMemberFactory(firm=acme, role="member").user
    client.force_login(member)
    page = client.get(reverse("clients:tax_details"))
    assert page.status_code == 200 and "Only your firm's admins" in page.content.decode()
    assert client.post(reverse("clients:tax_details"), DETAILS).status_code == 403
    with pytest.raises(NotAllowed):
        firm_tax_details_set(firm=acme, user=member, **DETAILS)


def test_another_firms_admin_cannot_set_them(dave, acme):
    with pytest.raises(NotAllowed):
        firm_tax_details_set(firm=acme, user=dave, **DETAILS)


def test_finance_sets_any_firms_details_and_others_are_refused(client, fiona, alice, acme):
    url = reverse("staff_clients:firm_tax", args=[acme.pk])
    client.force_login(alice)
    assert client.get(url).status_code == 403
    client.force_login(fiona)
    assert client.post(url, DETAILS).status_code == 302
    acme.refresh_from_db()
    assert acme.gstin == GSTIN
    assert client.get(reverse("staff_clients:firm_tax", args=[999999])).status_code == 404


def test_the_settings_page_links_the_tax_details(client, carol):
    client.force_login(carol)
    page = client.get(reverse("clients:settings")).content.decode()
    assert reverse("clients:tax_details") in page
