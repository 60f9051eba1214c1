"""The firm's invoices: list, lines and transactions, a CSV download. Its own only."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from billing.invoicing import invoice_pdf_downloaded
from billing.models import Invoice
from billing.pdfs import invoice_pdf, pdf_response
from billing.selectors import firm_invoices, invoice_transactions
from clients.decorators import firm_member
from common.csvfile import csv_response
from common.dates import period_label
from common.keyset import Keyset
from common.money import money_header

# The firm's invoices, newest period first, by cursor: one a month adds up over the years.
INVOICE_PAGES = Keyset("firm.invoices", ["-run__period_start", "-pk"], size=24)


@firm_member
def invoices(request):
    return render(
        request,
        "billing/client/invoices.html",
        # The cursor only positions within request.firm's own invoices.
        {
            "page": INVOICE_PAGES.page(
                firm_invoices(firm=request.firm), cursor=request.GET.get("cursor")
            ),
        },
    )


@firm_member
def invoice(request, pk: int):
    invoice = get_object_or_404(firm_invoices(firm=request.firm).select_related("firm"), pk=pk)
    return render(
        request,
        "billing/client/invoice.html",
        {
            "invoice": invoice,
            "lines": invoice.lines.select_related("request"),
            "transactions": invoice_transactions(invoice=invoice)[:500],  # the CSV has them all
        },
    )


@firm_member
def invoice_download(request, pk: int):
    """The invoice's transactions as CSV, streamed (flat memory for any size)."""
    invoice = get_object_or_404(firm_invoices(firm=request.firm), pk=pk)
    # A fixed-fee firm pays the fee, not per call: no per-call amount (as on the page).
    per_call = invoice.kind == Invoice.Kind.ACTIVITY
    # Headers as the page words them, the money column naming its currency (common.money)
    # and the period inclusive (common.dates): the cells stay plain numbers for a sheet.
    header = [
        "Invoice",
        "Period",
        "Date",
        "Line",
        "Agent",
        "Talk (s)",
        "Billed units",
        # Added with outbound work (issue 17), after the columns firms' sheets already read
        # by position; the amount stays last.
        "Direction",
        "Campaign",
        money_header("Amount", invoice.currency),
    ]
    period = period_label(invoice.run.period_start, invoice.run.period_end)
    rows = (
        [
            invoice.number,
            period,
            t.occurred_at.isoformat(),
            t.place_label,
            t.agent.full_name if t.agent_id else "",
            t.talk_seconds if t.is_call else "",
            t.units,
            t.direction_label,
            t.campaign.name if t.campaign else "",
            t.client_amount if per_call else "",
        ]
        for t in invoice_transactions(invoice=invoice).iterator(chunk_size=2000)
    )
    return csv_response(header, rows, filename=f"{invoice.filename}.csv")


@firm_member
@require_GET
def invoice_pdf_view(request, pk: int):
    """The tax invoice as PDF: the firm's own invoices only (another firm's id is a 404)."""
    invoice = get_object_or_404(firm_invoices(firm=request.firm).select_related("firm"), pk=pk)
    content = invoice_pdf(invoice)
    invoice_pdf_downloaded(invoice=invoice, user=request.user)
    return pdf_response(content, f"{invoice.filename}.pdf")
