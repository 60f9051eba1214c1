"""Issuing tax invoices: numbers from a gap-free series and GST fixed on each line.

`invoices_issue` runs inside the settlement run's transaction, right after the run has
written its invoices and lines (billing.settlement.run_execute): the invoice, its number
and its tax commit together or not at all. Numbers come from the financial year's
`InvoiceSeries` row, locked with SELECT … FOR UPDATE until that commit — two runs issuing
at once take turns on it, and a run that rolls back (a killed worker) gives its numbers
back with everything else, so the series has no gaps and no repeats. The unique
(series, serial) constraint is the last word.
"""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from billing.gst import invoice_number, line_tax, place_of_supply, series_name, supplier
from billing.models import Invoice, InvoiceLine, InvoiceSeries, Payout, SettlementRun
from clients.models import WebhookEvent
from clients.outbox import event_emit
from common.audit import audit_log
from common.dates import period_label
from common.models import AuditAction
from common.taxids import financial_year_label

BATCH = 1000


@transaction.atomic
def invoice_series_take(*, series: str, count: int) -> int:
    """Reserve `count` consecutive serials of `series`; returns the first. The row stays
    locked until the caller's transaction ends."""
    InvoiceSeries.objects.get_or_create(series=series)
    # Lock, then re-read: the serial must be the one under our lock, not one read before it.
    counter = InvoiceSeries.objects.select_for_update().get(series=series)
    first = counter.last_serial + 1
    counter.last_serial += count
    counter.save(update_fields=["last_serial"])
    return first


@transaction.atomic
def invoices_issue(*, run: SettlementRun) -> int:
    """Number the run's unnumbered invoices and fix their GST. Safe to repeat: an invoice
    already numbered is left as it was. Returns how many were issued now."""
    invoices = list(
        Invoice.objects.filter(run=run, serial__isnull=True).select_related("firm").order_by("pk")
    )
    if not invoices:
        return 0
    today = timezone.localdate()
    series = series_name(financial_year_label(today))
    first = invoice_series_take(series=series, count=len(invoices))
    agency, rate = supplier(), settings.GST_RATE_PERCENT
    by_id = {}
    for offset, invoice in enumerate(invoices):
        firm = invoice.firm
        invoice.series, invoice.serial = series, first + offset
        invoice.number = invoice_number(series, invoice.serial)
        invoice.issued_on = today
        invoice.supplier_name, invoice.supplier_address = agency.name, agency.address
        invoice.supplier_gstin, invoice.supplier_pan = agency.gstin, agency.pan
        invoice.supplier_state = agency.state
        invoice.recipient_name = firm.legal_name or firm.name
        invoice.recipient_address = firm.billing_address
        invoice.recipient_gstin = firm.gstin
        invoice.place_of_supply = place_of_supply(
            recipient_state=firm.state, supplier_state=agency.state
        )
        invoice.sac, invoice.tax_rate = settings.GST_SAC, rate
        invoice.cgst = invoice.sgst = invoice.igst = Decimal(0)
        by_id[invoice.pk] = invoice
    lines = list(InvoiceLine.objects.filter(invoice_id__in=by_id).order_by("pk"))
    for line in lines:
        invoice = by_id[line.invoice_id]
        tax = line_tax(
            line.amount, rate=rate, intra_state=invoice.is_intra_state, currency=invoice.currency
        )
        line.cgst, line.sgst, line.igst = tax.cgst, tax.sgst, tax.igst
        invoice.cgst += tax.cgst
        invoice.sgst += tax.sgst
        invoice.igst += tax.igst
    InvoiceLine.objects.bulk_update(lines, ["cgst", "sgst", "igst"], batch_size=BATCH)
    Invoice.objects.bulk_update(invoices, ISSUED_FIELDS, batch_size=BATCH)
    return len(invoices)


ISSUED_FIELDS = [
    "series",
    "serial",
    "number",
    "issued_on",
    "supplier_name",
    "supplier_address",
    "supplier_gstin",
    "supplier_pan",
    "supplier_state",
    "recipient_name",
    "recipient_address",
    "recipient_gstin",
    "place_of_supply",
    "sac",
    "tax_rate",
    "cgst",
    "sgst",
    "igst",
]


@transaction.atomic
def invoice_pdf_downloaded(*, invoice: Invoice, user: User) -> None:
    """Who took a copy of which tax invoice (firm users and finance alike)."""
    audit_log(
        actor=user, action=AuditAction.INVOICE_PDF_DOWNLOADED, target=invoice, number=invoice.number
    )


@transaction.atomic
def statement_pdf_downloaded(*, payout: Payout, user: User) -> None:
    audit_log(actor=user, action=AuditAction.STATEMENT_PDF_DOWNLOADED, target=payout)


@transaction.atomic
def tds_summary_downloaded(*, user: User, year: str, agent_id: int | None = None) -> None:
    audit_log(actor=user, action=AuditAction.TDS_SUMMARY_DOWNLOADED, year=year, agent_id=agent_id)


def invoice_payload(invoice: Invoice) -> dict:
    """invoice.issued's data: the firm's own invoice as it was issued, money as strings (never
    floats), and nothing of any agent's. Invoices are due on receipt: `due_on` is the date."""
    run = invoice.run
    return {
        "invoice_id": invoice.pk,
        "number": invoice.number,
        "kind": invoice.kind,
        "period": {
            "start": run.period_start.isoformat(),
            "end": run.period_end.isoformat(),
            "label": period_label(run.period_start, run.period_end),
        },
        "currency": invoice.currency,
        "taxable": str(invoice.total),
        "cgst": str(invoice.cgst),
        "sgst": str(invoice.sgst),
        "igst": str(invoice.igst),
        "tax": str(invoice.tax),
        "total_with_tax": str(invoice.total_with_tax),
        "issued_on": invoice.issued_on and invoice.issued_on.isoformat(),
        "due_on": invoice.issued_on and invoice.issued_on.isoformat(),
    }


def invoices_emit(*, run: SettlementRun) -> int:
    """invoice.issued for each invoice of the run, in the run's transaction (the outbox):
    the firm's endpoints hear of an invoice that exists, and of every one that does."""
    written = 0
    for invoice in Invoice.objects.filter(run=run).select_related("run").order_by("pk"):
        written += event_emit(
            firm=invoice.firm_id,
            event=WebhookEvent.INVOICE_ISSUED,
            payload=invoice_payload(invoice),
        )
    return written
