"""The tax invoice and the agent's statement as PDF (reportlab Platypus, A4).

Each document is a story (a list of flowables) built from stored figures only — an issued
invoice's number, parties, place of supply and tax are the ones fixed at issue
(billing.invoicing), never recomputed here — and rendered by `render`. Text is set in DejaVu
Sans (static/vendor/dejavu/, vendored from npm), which has the rupee sign and the Latin names
we print; reportlab's own Helvetica has no ₹. Money goes through common.money.format_money and
periods through common.dates.period_label, as on the pages. `invariant=1` makes the same
document give the same bytes (no creation time or random id inside).
"""

import io
from decimal import Decimal
from functools import cache
from xml.sax.saxutils import escape

from django.conf import settings
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from billing.models import Adjustment, Channel, Invoice, InvoiceLine, Payout
from billing.tds import deductor
from common.dates import day_label, period_label
from common.money import format_money
from common.taxids import amount_in_words, state_label
from routing.models import Call

FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
FONT_DIR = settings.BASE_DIR / "static" / "vendor" / "dejavu"
GREY = colors.HexColor("#555555")
RULE = colors.HexColor("#999999")


@cache
def _fonts() -> None:
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    _fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=GREY),
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=16, leading=20),
        "head": ParagraphStyle("head", parent=body, fontName=BOLD, fontSize=10, leading=14),
        "num": ParagraphStyle("num", parent=body, alignment=TA_RIGHT),
        "numbold": ParagraphStyle("numbold", parent=body, fontName=BOLD, alignment=TA_RIGHT),
    }


def _pct(rate: Decimal) -> str:
    """18.00 -> '18', 9.00 -> '9', 0.75 -> '0.75'."""
    return f"{Decimal(rate).normalize():f}"


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: escaped, line breaks kept (addresses)."""
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _grid(rows: list[list], widths: list[float], *, header: bool = True) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        style += [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))]
    table.setStyle(TableStyle(style))
    return table


def _pairs(pairs: list[tuple[str, str]], s: dict, width: float) -> Table:
    rows = [[_p(label, s["small"]), _p(value, s["body"])] for label, value in pairs]
    table = Table(rows, colWidths=[width * 0.38, width * 0.62], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def render(story: list[Flowable], *, title: str, author: str) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title,
        author=author,
        invariant=1,
    )
    doc.build(story)
    return buffer.getvalue()


CONTENT_WIDTH = A4[0] - 30 * mm


# --- The tax invoice ---------------------------------------------------------------------


def invoice_story(invoice: Invoice, lines: list[InvoiceLine]) -> list[Flowable]:
    s, w, cur = _styles(), CONTENT_WIDTH, invoice.currency
    legacy = invoice.tax_rate is None  # issued before GST was computed here: no tax on it
    half = (invoice.tax_rate or Decimal(0)) / 2
    story: list[Flowable] = [
        _p("Invoice" if legacy else "Tax Invoice", s["title"]),
        _p("Original for recipient", s["small"]),
        Spacer(1, 4 * mm),
    ]
    supplier = [
        ("Supplier", invoice.supplier_name or settings.AGENCY_LEGAL_NAME),
        ("Address", invoice.supplier_address or settings.AGENCY_ADDRESS),
        ("GSTIN", invoice.supplier_gstin or "—"),
        ("PAN", invoice.supplier_pan or "—"),
        ("State", state_label(invoice.supplier_state) if invoice.supplier_state else "—"),
    ]
    document = [
        ("Invoice number", invoice.number or "—"),
        ("Invoice date", day_label(invoice.issued_on or timezone.localdate(invoice.issued_at))),
        ("Period of service", period_label(invoice.run.period_start, invoice.run.period_end)),
        (
            "Place of supply",
            state_label(invoice.place_of_supply) if invoice.place_of_supply else "—",
        ),
        ("SAC", invoice.sac or settings.GST_SAC),
        ("Reverse charge", "No"),
    ]
    heads = Table(
        [[_pairs(supplier, s, w * 0.5 - 6), _pairs(document, s, w * 0.5 - 6)]],
        colWidths=[w * 0.5, w * 0.5],
    )
    heads.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    recipient = [
        ("Bill to", invoice.recipient_name or invoice.firm.name),
        ("Address", invoice.recipient_address or "—"),
        ("GSTIN", invoice.recipient_gstin or "Unregistered recipient"),
        (
            "State",
            state_label(invoice.place_of_supply) if invoice.place_of_supply else "—",
        ),
    ]
    story += [heads, Spacer(1, 3 * mm), _pairs(recipient, s, w * 0.5), Spacer(1, 5 * mm)]

    intra = invoice.is_intra_state
    if legacy:
        tax_heads = []
    elif intra:
        tax_heads = [f"CGST {_pct(half)}%", f"SGST {_pct(half)}%"]
    else:
        tax_heads = [f"IGST {_pct(invoice.tax_rate)}%"]
    head = ["#", "Description", "SAC", "Qty", "Taxable value", *tax_heads, "Total"]
    rows = [[_p(h, s["head"] if i < 4 else s["numbold"]) for i, h in enumerate(head)]]
    for n, line in enumerate(lines, start=1):
        taxes = [] if legacy else ([line.cgst, line.sgst] if intra else [line.igst])
        rows.append(
            [
                _p(str(n), s["body"]),
                _p(_line_description(line), s["body"]),
                _p(invoice.sac or settings.GST_SAC, s["body"]),
                _p(str(line.quantity), s["num"]),
                _p(format_money(line.amount, cur), s["num"]),
                *[_p(format_money(t, cur), s["num"]) for t in taxes],
                _p(format_money(line.amount + sum(taxes, Decimal(0)), cur), s["num"]),
            ]
        )
    # #, description, SAC, quantity, then the money: taxable value, each tax, the total
    fixed = [0.04, 0.0, 0.09, 0.06]
    money_cols = len(tax_heads) + 2
    widths = [f * w for f in fixed] + [0.13 * w] * money_cols
    widths[1] = w - sum(widths)
    story += [_grid(rows, widths), Spacer(1, 4 * mm)]

    totals = [("Taxable value", invoice.total)]
    if not legacy:
        if intra:
            totals += [
                (f"CGST at {_pct(half)}%", invoice.cgst),
                (f"SGST at {_pct(half)}%", invoice.sgst),
            ]
        else:
            totals += [(f"IGST at {_pct(invoice.tax_rate)}%", invoice.igst)]
        totals += [("Total tax", invoice.tax)]
    grand = invoice.total_with_tax  # a legacy invoice's tax is 0: its total
    total_rows = [[_p(label, s["body"]), _p(format_money(v, cur), s["num"])] for label, v in totals]
    total_rows.append([_p("Invoice total", s["head"]), _p(format_money(grand, cur), s["numbold"])])
    table = Table(total_rows, colWidths=[w * 0.25, w * 0.2], hAlign="RIGHT")
    table.setStyle(TableStyle([("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black)]))
    story += [
        table,
        Spacer(1, 3 * mm),
        _p(f"Amount in words: {amount_in_words(grand, cur)}", s["body"]),
    ]
    if legacy:
        story.append(
            _p("Issued before tax invoices were kept: no GST was charged on it.", s["small"])
        )
    story += _signature(invoice.supplier_name or settings.AGENCY_LEGAL_NAME, s)
    return story


def _line_description(line: InvoiceLine) -> str:
    if line.request_id and line.request is not None:
        return f"{line.description}: {line.request.title}"
    return line.description


def _signature(name: str, s: dict) -> list[Flowable]:
    return [
        Spacer(1, 12 * mm),
        _p(f"For {name}", s["body"]),
        Spacer(1, 12 * mm),
        _p("Authorised signatory", s["body"]),
        Spacer(1, 4 * mm),
        _p("This document is computer-generated.", s["small"]),
    ]


def invoice_pdf(invoice: Invoice) -> bytes:
    lines = list(invoice.lines.select_related("request").order_by("pk"))
    title = f"{'Invoice' if invoice.tax_rate is None else 'Tax Invoice'} {invoice.number}"
    return render(invoice_story(invoice, lines), title=title, author=invoice.supplier_name)


# --- The agent's statement -----------------------------------------------------------------


def statement_status(payout: Payout) -> str:
    """What the statement says of its payment. Only a payout marked paid says "paid"."""
    if payout.status == Payout.Status.PAID:
        when = f" on {day_label(timezone.localdate(payout.paid_at))}" if payout.paid_at else ""
        return f"Paid{when}"
    if payout.status == Payout.Status.APPROVED:
        return "Approved by finance; the transfer to your bank account follows"
    return "Being reviewed by finance; no transfer has been made yet"


def statement_story(
    payout: Payout, by_firm: list[dict], adjustments: list[Adjustment]
) -> list[Flowable]:
    s, w, cur = _styles(), CONTENT_WIDTH, payout.currency
    agent, agency = payout.agent, deductor()
    story: list[Flowable] = [
        _p("Earnings statement", s["title"]),
        _p(f"Statement {payout.pk} · TDS under section {agency['section']}", s["small"]),
        Spacer(1, 4 * mm),
    ]
    left = [
        ("Agent", agent.full_name or str(agent)),
        ("PAN", agent.pan or "Not given: TDS at the higher rate may apply"),
        ("Period", period_label(payout.run.period_start, payout.run.period_end)),
        ("Status", statement_status(payout)),
    ]
    right = [
        ("From", agency["name"]),
        ("Address", settings.AGENCY_ADDRESS),
        ("TAN", agency["tan"]),
        ("PAN", agency["pan"]),
    ]
    heads = Table(
        [[_pairs(left, s, w * 0.5 - 6), _pairs(right, s, w * 0.5 - 6)]],
        colWidths=[w * 0.5, w * 0.5],
    )
    heads.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [heads, Spacer(1, 5 * mm), _p("Calls by firm", s["head"])]
    rows = [[_p("Firm", s["head"]), _p("Calls", s["numbold"]), _p("Earned", s["numbold"])]]
    for firm in by_firm:
        rows.append(
            [
                _p(firm["firm__name"], s["body"]),
                _p(str(firm["calls"]), s["num"]),
                _p(format_money(firm["amount"], cur), s["num"]),
            ]
        )
    if not by_firm:
        rows.append([_p("No calls in this period.", s["body"]), "", ""])
    story += [_grid(rows, [w * 0.6, w * 0.15, w * 0.25]), Spacer(1, 4 * mm)]
    if adjustments:
        rows = [[_p("Adjustment", s["head"]), _p("Amount", s["numbold"])]]
        rows += [
            [_p(a.reason, s["body"]), _p(format_money(a.amount, cur), s["num"])]
            for a in adjustments
        ]
        story += [_p("Adjustments", s["head"]), _grid(rows, [w * 0.75, w * 0.25])]
        story.append(Spacer(1, 4 * mm))
    summary = [
        ("Calls", str(payout.calls)),
        ("Gross", format_money(payout.gross, cur)),
        (f"TDS withheld at {_pct(payout.tds_rate)}%", f"\u2212 {format_money(payout.tds, cur)}"),
        ("Net", format_money(payout.net, cur)),
    ]
    rows = [[_p(label, s["body"]), _p(value, s["num"])] for label, value in summary]
    table = Table(rows, colWidths=[w * 0.3, w * 0.2], hAlign="RIGHT")
    table.setStyle(TableStyle([("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black)]))
    story += [table, Spacer(1, 4 * mm)]
    story.append(
        _p(
            f"Tax withheld is deposited with the Income Tax Department against your PAN under "
            f"section {agency['section']}; it appears in your Form 26AS and on the quarterly "
            f"TDS certificate.",
            s["small"],
        )
    )
    return story


def _statement_row(row: dict) -> dict:
    if row["channel"] == Channel.EMAIL:
        return {**row, "firm__name": f"{row['firm__name']} · email conversations"}
    if row["direction"] == Call.Direction.OUTBOUND:
        return {**row, "firm__name": f"{row['firm__name']} · outbound calls"}
    return row


def statement_by_firm(transactions) -> list[dict]:
    """The statement's calls and earnings per firm; a firm's outbound work (campaigns) and
    its email conversations each on a row of its own, after its answered calls."""
    return [
        _statement_row(row)
        for row in transactions.order_by()
        .values("firm__name", "channel", "direction")
        .annotate(calls=Count("id"), amount=Sum("agent_amount"))
        .order_by("firm__name", "channel", "direction")
    ]


def statement_pdf(payout: Payout, transactions, adjustments) -> bytes:
    by_firm = statement_by_firm(transactions)
    story = statement_story(payout, by_firm, list(adjustments))
    return render(story, title=f"Earnings statement {payout.pk}", author=deductor()["name"])


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    """A PDF download: never cached by a shared proxy (tax documents name people)."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def story_text(story: list) -> str:
    """Every string a story prints, in order (tests read the PDF's fields from it)."""
    parts: list[str] = []

    def walk(item) -> None:
        if isinstance(item, Paragraph):
            parts.append(item.getPlainText())
        elif isinstance(item, Table):
            for row in item._cellvalues:
                for cell in row:
                    walk(cell)
        elif isinstance(item, list | tuple):
            for sub in item:
                walk(sub)
        elif isinstance(item, str) and item:
            parts.append(item)

    walk(story)
    return "\n".join(parts)
