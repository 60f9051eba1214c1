"""Approved payouts out of the system: sheets for people, bulk files for the bank.

Every export covers the approved payouts of one run (or of all runs). Their ids and nets are
read once, up front: that fixes the set, so the audit record, pain.001's header totals and
the rows streamed after it agree even if someone marks a payout paid meanwhile. The rows are
then read 2,000 at a time by id (what `.iterator(chunk_size=2000)` would do, on a fixed set)
and streamed, so memory stays flat. Before the first byte is sent an audit record (action
"export") notes the format, the count and the total. Full bank account numbers appear in
the two bank files only; the sheets and every page show the masked number.

Formats:

- ``csv`` / ``xlsx`` — a review sheet: payout, period, agent, holder, masked account, IFSC,
  currency, gross, TDS %, TDS, net, approved at. XLSX is written by openpyxl in write-only
  mode to a temporary file (openpyxl's normal mode holds ~50x the file size in memory).
- ``neft`` — a bulk NEFT upload for Indian banks: INR payouts with a positive net to agents
  with an IFSC. A header row, then one comma-separated row a payout, in this order:

  ===  ===========================  ====================================================
   1   Transaction Type (N=NEFT)    always ``N``
   2   Beneficiary Account Number   digits only, as stored (9 to 18 digits)
   3   Amount                       the net payout, 2 decimals, no separators (1234.50)
   4   Beneficiary Name             the account holder, letters/digits/space/dot, ≤ 35
   5   IFSC                         11 characters (SBIN0001234)
   6   Narration                    ``Homeshore payout DDMonYYYY`` (the period), ≤ 30
   7   Payout reference             ``HS-PAYOUT-<id>``: quote it to reconcile the statement
  ===  ===========================  ====================================================

- ``pain001`` — ISO 20022 customer credit transfer initiation, pain.001.001.03: one
  payment information block debiting the agency (settings AGENCY_NAME, AGENCY_IBAN,
  AGENCY_BIC), one CdtTrfTxInf a payout with a positive net to an IBAN account (no IFSC);
  EndToEndId is the payout reference. A pain.001 needs at least one transaction, so an
  empty selection is refused with a message instead of an invalid file.
"""

import re
import tempfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from xml.sax.saxutils import escape

from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

from accounts.models import User
from billing.models import Payout, SettlementRun
from billing.payouts import export_audit
from common.csvfile import csv_lines, neutralised
from common.errors import ApplicationError

CHUNK = 2000
SHEET_HEADER = [
    "Payout",
    "Period start",
    "Period end",
    "Agent",
    "Account holder",
    "Account",
    "IFSC",
    "Currency",
    "Gross",
    "TDS %",
    "TDS",
    "Net",
    "Approved at",
]
NEFT_HEADER = [
    "Transaction Type (N=NEFT)",
    "Beneficiary Account Number",
    "Amount",
    "Beneficiary Name",
    "IFSC",
    "Narration",
    "Payout reference",
]
PAIN_NS = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"


def agency() -> dict[str, str]:
    # Placeholders until the agency's account is configured (a valid-checksum test IBAN).
    return {
        "name": getattr(settings, "AGENCY_NAME", "Homeshore Staffing"),
        "iban": getattr(settings, "AGENCY_IBAN", "GB33BUKB20201555555555"),
        "bic": getattr(settings, "AGENCY_BIC", "BUKBGB22"),
    }


def approved_payouts(*, run: SettlementRun | None = None) -> QuerySet[Payout]:
    payouts = Payout.objects.filter(status=Payout.Status.APPROVED)
    if run is not None:
        payouts = payouts.filter(run=run)
    return payouts.select_related("agent", "run").order_by("pk")


def neft_payouts(*, run: SettlementRun | None = None) -> QuerySet[Payout]:
    return (
        approved_payouts(run=run)
        .filter(currency="INR", net__gt=0)
        .exclude(agent__bank_ifsc="")
        .exclude(agent__bank_account_last4="")
    )  # the account itself is encrypted: no SQL filter


def iban_payouts(*, run: SettlementRun | None = None) -> QuerySet[Payout]:
    return (
        approved_payouts(run=run)
        .filter(net__gt=0, agent__bank_ifsc="")
        .exclude(agent__bank_account_last4="")
    )


def reference(payout: Payout) -> str:
    return f"HS-PAYOUT-{payout.pk}"


def _holder(payout: Payout) -> str:
    return payout.agent.bank_holder_name or payout.agent.full_name or str(payout.agent)


def _in_chunks(ids: list[int]) -> Iterator[Payout]:
    # No status filter here: the set was fixed when the ids were read (and a payout's amounts
    # never change after approval).
    for i in range(0, len(ids), CHUNK):
        chunk = Payout.objects.filter(pk__in=ids[i : i + CHUNK]).select_related("agent", "run")
        yield from chunk.order_by("pk")


def _sheet_row(p: Payout) -> list:
    approved = timezone.localtime(p.approved_at).replace(tzinfo=None) if p.approved_at else None
    return [
        reference(p),
        p.run.period_start,
        p.run.period_end,
        str(p.agent),
        _holder(p),
        p.agent.bank_account_masked,
        p.agent.bank_ifsc,
        p.currency,
        p.gross,
        p.tds_rate,
        p.tds,
        p.net,
        approved,
    ]


def _filename(run: SettlementRun | None, suffix: str) -> str:
    return f"payouts-{run.pk if run else 'all'}-{timezone.localdate():%Y%m%d}.{suffix}"


def _streamed(content: Iterator[str], content_type: str, filename: str) -> HttpResponse:
    response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def payouts_csv(payouts: Iterator[Payout], run: SettlementRun | None) -> HttpResponse:
    rows = (_sheet_row(p) for p in payouts)
    return _streamed(csv_lines(SHEET_HEADER, rows), "text/csv", _filename(run, "csv"))


def payouts_xlsx(payouts: Iterator[Payout], run: SettlementRun | None) -> HttpResponse:
    workbook = Workbook(write_only=True)  # rows go to disk as they are appended
    sheet = workbook.create_sheet("Payouts")
    sheet.append(SHEET_HEADER)
    for payout in payouts:
        # openpyxl writes text starting with "=" as a formula: the same quote as in the CSV.
        sheet.append(neutralised(_sheet_row(payout)))
    # Deleted when FileResponse closes it, after the last chunk is sent.
    file = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115
    workbook.save(file)
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=_filename(run, "xlsx"))


def _neft_name(payout: Payout) -> str:
    # Bank upload parsers accept a narrow alphabet; anything else becomes a space.
    return re.sub(r"\s+", " ", re.sub(r"[^A-Za-z0-9 .]", " ", _holder(payout))).strip()[:35]


def payouts_neft(payouts: Iterator[Payout], run: SettlementRun | None) -> HttpResponse:
    rows = (
        [
            "N",
            p.agent.bank_account,
            f"{p.net:.2f}",
            _neft_name(p),
            p.agent.bank_ifsc,
            f"Homeshore payout {p.run.period_start:%d%b%Y}"[:30],
            reference(p),
        ]
        for p in payouts
    )
    return _streamed(csv_lines(NEFT_HEADER, rows), "text/csv", _filename(run, "neft.csv"))


def _pain_transaction(p: Payout) -> str:
    iban = re.sub(r"\s+", "", p.agent.bank_account).upper()
    return (
        f"<CdtTrfTxInf><PmtId><EndToEndId>{reference(p)}</EndToEndId></PmtId>"
        f'<Amt><InstdAmt Ccy="{escape(p.currency)}">{p.net:.2f}</InstdAmt></Amt>'
        f"<Cdtr><Nm>{escape(_holder(p)[:70])}</Nm></Cdtr>"
        f"<CdtrAcct><Id><IBAN>{escape(iban)}</IBAN></Id></CdtrAcct>"
        f"<RmtInf><Ustrd>Homeshore payout {p.run.period_start:%d %b %Y}</Ustrd></RmtInf>"
        "</CdtTrfTxInf>\n"
    )


def _pain_stream(payouts: Iterator[Payout], count: int, total: Decimal, msg_id: str):
    now, debtor = timezone.localtime(), agency()
    sums = f"<NbOfTxs>{count}</NbOfTxs><CtrlSum>{total:.2f}</CtrlSum>"
    yield (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{PAIN_NS}">'
        f"<CstmrCdtTrfInitn>\n<GrpHdr><MsgId>{msg_id}</MsgId>"
        f"<CreDtTm>{now.isoformat(timespec='seconds')}</CreDtTm>{sums}"
        f"<InitgPty><Nm>{escape(debtor['name'])}</Nm></InitgPty></GrpHdr>\n"
        f"<PmtInf><PmtInfId>{msg_id}</PmtInfId><PmtMtd>TRF</PmtMtd>{sums}"
        f"<ReqdExctnDt>{now:%Y-%m-%d}</ReqdExctnDt><Dbtr><Nm>{escape(debtor['name'])}</Nm></Dbtr>"
        f"<DbtrAcct><Id><IBAN>{escape(debtor['iban'])}</IBAN></Id></DbtrAcct>"
        f"<DbtrAgt><FinInstnId><BIC>{escape(debtor['bic'])}</BIC></FinInstnId></DbtrAgt>"
        "<ChrgBr>SHAR</ChrgBr>\n"
    )
    for payout in payouts:
        yield _pain_transaction(payout)
    yield "</PmtInf>\n</CstmrCdtTrfInitn>\n</Document>\n"


def payouts_pain001(
    payouts: Iterator[Payout], run: SettlementRun | None, count: int, total: Decimal
) -> HttpResponse:
    msg_id = f"HS-{timezone.now():%Y%m%d%H%M%S}-{run.pk if run else 'ALL'}"  # ≤ 35 characters
    stream = _pain_stream(payouts, count, total, msg_id)
    return _streamed(stream, "application/xml", _filename(run, "pain001.xml"))


FORMATS: dict[str, tuple[Callable[..., QuerySet[Payout]], str]] = {
    "csv": (approved_payouts, "CSV sheet"),
    "xlsx": (approved_payouts, "Excel sheet"),
    "neft": (neft_payouts, "NEFT bulk file (INR, IFSC accounts)"),
    "pain001": (iban_payouts, "ISO 20022 pain.001 (IBAN accounts)"),
}


def payouts_export(*, actor: User, format: str, run: SettlementRun | None) -> HttpResponse:
    """The export as a response; the audit record is written before anything is sent."""
    select, _label = FORMATS[format]
    rows = list(select(run=run).values_list("pk", "net"))
    ids, count = [pk for pk, _net in rows], len(rows)
    total = sum((net for _pk, net in rows), Decimal("0.00"))
    if format == "pain001" and count == 0:
        raise ApplicationError("No approved payouts to IBAN accounts: there is nothing to pay.")
    export_audit(actor=actor, format=format, count=count, total=total, run=run)
    payouts = _in_chunks(ids)
    if format == "pain001":
        return payouts_pain001(payouts, run, count, total)
    return {"csv": payouts_csv, "xlsx": payouts_xlsx, "neft": payouts_neft}[format](payouts, run)
