"""Tax invoices (issue 15): each firm invoice is numbered from the financial year's gap-free
series and carries GST per line — CGST + SGST when the firm is in the agency's state, IGST
when not — fixed when the run issues it; the PDF carries every field GST asks for.

Acme sits in Karnataka (29), the agency's own state; Globex in Maharashtra (27).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from billing.gst import line_tax
from billing.models import FixedFeePlan, Invoice, InvoiceSeries
from billing.pdfs import invoice_story, story_text
from common.models import AuditAction, AuditRecord
from common.taxids import financial_year_label
from tests.billing.factories import engaged, last_month, ledger_row, settle

ACME_GSTIN = "29AAKCK3307B1ZS"
GLOBEX_GSTIN = "27AAGCA8810Q1Z5"


@pytest.fixture
def invoiced(acme, globex, alice, bob):
    acme.legal_name, acme.state, acme.gstin = "Acme Insurance Pvt Ltd", "29", ACME_GSTIN
    acme.billing_address = "1 Lavelle Road\nBengaluru 560001"
    acme.save()
    globex.state, globex.gstin = "27", GLOBEX_GSTIN
    globex.save()
    engaged(alice, acme, agent_rate="17.31", client_rate="40.05")
    FixedFeePlan.objects.create(firm=globex, fee=Decimal("900.05"), currency="INR")
    ledger_row(alice, acme, agent_amount="17.31", client_amount="40.05", day=last_month())
    ledger_row(bob, globex, agent_amount="23.45", client_amount="30.00", day=last_month())
    run = settle("firms", last_month())
    return {i.firm: i for i in run.invoices.select_related("firm", "run")}


def test_within_the_agencys_state_the_tax_is_cgst_and_sgst_at_half_the_rate_each(invoiced, acme):
    invoice = invoiced[acme]
    assert invoice.place_of_supply == "29" and invoice.supplier_state == "29"
    assert invoice.tax_rate == Decimal("18.00")
    # 40.05 x 9% = 3.6045 -> 3.60 each (rounded per line), IGST would be 7.21
    assert (invoice.cgst, invoice.sgst, invoice.igst) == (
        Decimal("3.60"),
        Decimal("3.60"),
        Decimal("0"),
    )
    assert invoice.total == Decimal("40.05")  # the taxable value, as the ledger sums it
    assert invoice.total_with_tax == Decimal("47.25")
    assert invoice.recipient_gstin == ACME_GSTIN and invoice.recipient_name.startswith("Acme")


def test_across_states_the_tax_is_igst_at_the_whole_rate(invoiced, globex):
    invoice = invoiced[globex]
    assert invoice.place_of_supply == "27"
    # 900.05 x 18% = 162.009 -> 162.01
    assert (invoice.cgst, invoice.sgst, invoice.igst) == (
        Decimal("0"),
        Decimal("0"),
        Decimal("162.01"),
    )
    assert invoice.lines.get().igst == Decimal("162.01")


def test_tax_is_rounded_half_up_on_each_line_on_its_own():
    assert line_tax(Decimal("0.05"), rate=Decimal(18), intra_state=True, currency="INR").cgst == 0
    igst = line_tax(Decimal("0.05"), rate=Decimal(18), intra_state=False, currency="INR")
    assert igst.igst == Decimal("0.01")  # 0.009
    split = line_tax(Decimal("40.05"), rate=Decimal(18), intra_state=True, currency="INR")
    assert split.total == Decimal("7.20")  # while IGST on it is 7.21: a paisa, by the rules
    refund = line_tax(Decimal("-12.25"), rate=Decimal(18), intra_state=False, currency="INR")
    assert refund.igst == Decimal("-2.21")  # -2.205, half away from zero


def test_an_unregistered_firm_without_a_state_is_supplied_in_the_agencys_state(acme, alice):
    engaged(alice, acme)
    ledger_row(alice, acme, agent_amount="10.00", client_amount="20.00", day=last_month())
    invoice = settle("firms", last_month()).invoices.get()
    assert invoice.recipient_gstin == "" and invoice.place_of_supply == "29"
    assert invoice.cgst == invoice.sgst == Decimal("1.80")


def test_invoices_are_numbered_in_one_series_a_financial_year_without_gaps(invoiced):
    series = f"HS/{financial_year_label(dt.date.today())[2:]}"
    numbers = sorted(i.number for i in invoiced.values())
    assert numbers == [f"{series}/000001", f"{series}/000002"]
    assert all(len(n) <= 16 for n in numbers)  # CGST Rules, rule 46(b)
    assert InvoiceSeries.objects.get(series=series).last_serial == 2


def test_the_runs_total_is_still_its_ledgers_sum_before_tax(invoiced, acme):
    run = invoiced[acme].run
    assert run.total == Decimal("40.05") + Decimal("900.05")


def test_the_pdf_carries_every_field_of_a_tax_invoice(invoiced, acme):
    invoice = invoiced[acme]
    text = story_text(invoice_story(invoice, list(invoice.lines.all())))
    for field in (
        "Tax Invoice",
        "Homeshore Staffing Private Limited",
        "29AAFCH4521M1ZB",  # the agency's GSTIN
        "AAFCH4521M",  # its PAN
        "Acme Insurance Pvt Ltd",
        "Lavelle Road",
        ACME_GSTIN,
        invoice.number,
        "Karnataka (29)",
        "998593",
        "CGST 9%",
        "SGST 9%",
        "₹40.05",
        "₹3.60",
        "₹47.25",
        "Rupees forty-seven and paise twenty-five only",
        "Reverse charge",
        "Authorised signatory",
    ):
        assert field in text, field
    assert "IGST" not in text


def test_a_firm_downloads_its_own_invoice_pdf_and_the_download_is_audited(
    client, carol, invoiced, acme, globex
):
    client.force_login(carol)
    mine = invoiced[acme]
    response = client.get(reverse("invoices:pdf", args=[mine.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = b"".join(response) if response.streaming else response.content
    assert body.startswith(b"%PDF")
    assert mine.filename in response["Content-Disposition"] and "/" not in mine.filename
    record = AuditRecord.objects.get(action=AuditAction.INVOICE_PDF_DOWNLOADED)
    assert record.actor == carol and record.object_id == mine.pk
    theirs = invoiced[globex]
    assert client.get(reverse("invoices:pdf", args=[theirs.pk])).status_code == 404


def test_finance_downloads_any_invoice_pdf_and_other_roles_are_refused(
    client, fiona, alice, invoiced, globex
):
    invoice = invoiced[globex]
    client.force_login(alice)
    assert client.get(reverse("finance:invoice_pdf", args=[invoice.pk])).status_code == 403
    client.force_login(fiona)
    response = client.get(reverse("finance:invoice_pdf", args=[invoice.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_an_invoice_issued_before_tax_invoices_prints_no_tax(acme, invoiced):
    invoice = invoiced[acme]
    Invoice.objects.filter(pk=invoice.pk).update(tax_rate=None, cgst=0, sgst=0)
    invoice.refresh_from_db()
    text = story_text(invoice_story(invoice, list(invoice.lines.all())))
    assert "Tax Invoice" not in text and "CGST" not in text and "no GST was charged" in text


def test_the_agencys_own_gstin_state_and_pan_are_checked_at_start_up(settings):
    from billing.checks import supplier_tax_ids_check

    assert supplier_tax_ids_check() == []
    settings.AGENCY_GSTIN = "29AAFCH4521M1ZC"  # one character off
    settings.AGENCY_STATE, settings.AGENCY_PAN = "27", "ABCPK1234F"
    messages = [error.msg for error in supplier_tax_ids_check()]
    assert all(error.id == "billing.E005" for error in supplier_tax_ids_check())
    assert any("check character" in m for m in messages)
    settings.AGENCY_GSTIN = "29AAFCH4521M1ZB"
    messages = [error.msg for error in supplier_tax_ids_check()]
    assert any("not in Maharashtra (27)" in m for m in messages)
    settings.AGENCY_STATE = "29"
    assert [e.msg for e in supplier_tax_ids_check()] == [
        "AGENCY_PAN is not the PAN inside AGENCY_GSTIN."
    ]
