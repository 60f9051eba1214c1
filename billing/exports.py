"""Approved payouts out of the system: sheets for people, bulk files for the bank.

Every export covers the approved payouts of one run (or of all runs) and is one
`PayoutExport` row: which payouts, who, when, what kind, and for a bank file its message id
(the row's id and time, unique, ≤ 35 characters). The row, the list of payouts in it and an
audit record (action "export") are written, and committed, before the first byte is sent;
the set is fixed then, so the record, pain.001's header totals and the rows streamed after it
agree even if someone marks a payout paid meanwhile. The rows are read 2,000 at a time by id
and streamed, so memory stays flat. Full bank account numbers appear in the two bank files
only; the sheets and every page show the masked number.

A payout is paid once: a payout already in a bank file (NEFT or pain.001) goes into another
only when finance gives a reason, which the audit record keeps. A payout a bank file cannot
carry (no account holder name in Latin letters, an invalid IBAN or IFSC, NEFT in a currency
other than rupees) is left out of the file, never written with an empty name; the export
record lists each with its reason and the payouts page shows the list.

Formats:

- ``csv`` / ``xlsx`` — a review sheet: payout, period (inclusive, "23–29 Nov 2026", and its
  first and last day), agent, holder, masked account, IFSC, currency, gross, TDS %, TDS, net,
  approved at. The money headers name the currency ("Net (₹)", common.money.money_header)
  when the sheet has one; the cells stay plain numbers (XLSX: numbers), for sums. XLSX is
  written by openpyxl in write-only mode to a temporary file (openpyxl's normal mode holds
  ~50x the file size in memory). Text cells pass through common.csvfile's formula
  neutralising.
- ``neft`` — a bulk NEFT upload for Indian banks, INR payouts to IFSC accounts, in the layout
  of the agency's bank (setting PAYOUT_NEFT_LAYOUT, billing.bankfiles).
- ``pain001`` — ISO 20022 customer credit transfer initiation, pain.001.001.03, valid against
  the official schema (billing/schemas): one payment information block a currency debiting
  the agency (settings AGENCY_NAME, AGENCY_IBAN, AGENCY_BIC, checked at start-up by
  billing.checks), each with its own count and control sum; one CdtTrfTxInf a payout to an
  IBAN account (no IFSC), in the payout's own currency; EndToEndId is the payout reference.
  A pain.001 needs at least one transaction, so an empty selection is refused.
"""

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import BinaryIO

from django.conf import settings
from django.db import connection, transaction
from django.db.models import CharField, Count, F, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from accounts.models import User
from agents.models import VerificationCheck
from billing import bankfiles
from billing.models import Payout, PayoutExport, SettlementRun
from billing.payouts import export_audit
from common.csvfile import csv_lines, neutralised
from common.dates import period_label
from common.errors import ApplicationError
from common.money import money_header, quantize

CHUNK = 2000
SHOWN_PREVIOUS = 3


def sheet_header(currencies: Iterable[str]) -> list[str]:
    """The review sheet's header. Its money columns name the sheet's currency ("Net (₹)");
    a sheet of several currencies points at the Currency column instead."""
    found = set(currencies)
    one = found.pop() if len(found) == 1 else None

    def money(label: str) -> str:
        return money_header(label, one) if one else f"{label} (see Currency)"

    return [
        "Payout",
        "Period",
        "First day",
        "Last day",
        "Agent",
        "Account holder",
        "Account",
        "IFSC",
        "Currency",
        money("Gross"),
        "TDS %",
        money("TDS"),
        money("Net"),
        "Approved at",
    ]


@functools.lru_cache(maxsize=256)
def _period(start: dt.date, end: dt.date) -> str:
    # A sheet has a few periods and up to ~100k rows: Babel formats each period once.
    return period_label(start, end)


NEFT_HEADER = bankfiles.GENERIC_HEADER
PAIN_NS = bankfiles.PAIN_NS
reference = bankfiles.reference
Kind = PayoutExport.Kind


def agency() -> dict[str, str]:
    return {"name": settings.AGENCY_NAME, "iban": settings.AGENCY_IBAN, "bic": settings.AGENCY_BIC}


def neft_layout() -> str:
    return getattr(settings, "PAYOUT_NEFT_LAYOUT", "generic")


def approved_payouts(*, run: SettlementRun | None = None) -> QuerySet[Payout]:
    payouts = Payout.objects.filter(status=Payout.Status.APPROVED)
    if run is not None:
        payouts = payouts.filter(run=run)
    return payouts.select_related("agent", "run").order_by("pk")


NO_ACCOUNT = Q(agent__bank_account_last4="")


def neft_payouts(*, run: SettlementRun | None = None) -> QuerySet[Payout]:
    """The payouts a NEFT file is for: positive nets to IFSC accounts, or to no account at all
    (those are left out with their reason). The account itself is encrypted: no SQL filter."""
    return approved_payouts(run=run).filter(net__gt=0).filter(~Q(agent__bank_ifsc="") | NO_ACCOUNT)


def iban_payouts(*, run: SettlementRun | None = None) -> QuerySet[Payout]:
    return approved_payouts(run=run).filter(net__gt=0, agent__bank_ifsc="")


def _holder(payout: Payout) -> str:
    return payout.agent.bank_holder_name


def _in_chunks(ids: list[int]) -> Iterator[Payout]:
    # No status filter here: the set was fixed when the ids were read (and a payout's amounts
    # never change after approval).
    for i in range(0, len(ids), CHUNK):
        chunk = Payout.objects.filter(pk__in=ids[i : i + CHUNK]).select_related("agent", "run")
        yield from chunk.order_by("pk")


HELD_FOR_REVIEW = (
    "Bank details or name changed since approval: held until vetting reviews the identity "
    "check again."
)


def _held_for_review(payouts: QuerySet[Payout]) -> set[int]:
    """Agents whose identity check is back in review (agents.services.checks_reopen: new bank
    details or a new name). payout_approve holds their drafts; a payout approved before the
    change would otherwise go to an account nobody has checked, so bank files hold it too."""
    return set(
        VerificationCheck.objects.filter(
            kind=VerificationCheck.Kind.IDENTITY,
            status=VerificationCheck.Status.PENDING,
            agent__in=payouts.values("agent"),
        ).values_list("agent_id", flat=True)
    )


def _problem(kind: str, payout: Payout) -> str | None:
    """Why a bank file cannot carry `payout` (None: it can, or the file is a sheet)."""
    if kind not in PayoutExport.BANK_FILES:
        return None
    if not payout.agent.bank_account_last4:
        return "No bank account on file."
    if kind == Kind.NEFT:
        return bankfiles.neft_problem(payout)
    return bankfiles.pain_problem(payout)


Progress = Callable[[int], None]  # called with the rows written since the last call

# A sheet's row read as plain values (no model instances: building a payout, its agent and
# its run a row was three quarters of a CSV's time, 1.5 of 2.0 s for 10k payouts).
SHEET_VALUES = (
    "pk",
    "run__period_start",
    "run__period_end",
    "agent_name",
    "agent__bank_holder_name",
    "agent__bank_account_last4",
    "agent__bank_ifsc",
    "currency",
    "gross",
    "tds_rate",
    "tds",
    "net",
    "approved_at",
)
# str(agent): the full name, or the email when there is none (AgentProfile.__str__).
AGENT_NAME = Coalesce(
    NullIf(F("agent__full_name"), Value("")), F("agent__user__email"), output_field=CharField()
)


def _sheet_row(values: tuple) -> list:
    pk, start, end, agent, holder, last4, ifsc, currency, gross, rate, tds, net, approved = values
    return [
        bankfiles.reference_of(pk),
        _period(start, end),
        start,
        end - dt.timedelta(days=1),  # stored exclusive; the sheet reads inclusive
        agent,
        holder,
        f"•••• {last4}" if last4 else "",  # AgentProfile.bank_account_masked
        ifsc,
        currency,
        gross,
        rate,
        tds,
        net,
        timezone.localtime(approved).replace(tzinfo=None) if approved else None,
    ]


def _id_chunks(export: PayoutExport) -> Iterator[list[int]]:
    """The export's payout ids, CHUNK at a time, by keyset on the m2m's own index
    (export, payout): each chunk is a range scan from the last id. A keyset on the payout's id
    across the join instead made the merge join walk the export's rows from the first one on
    every chunk (96k payouts: 48 chunks, 2.3M index entries, each a heap fetch)."""
    through = PayoutExport.payouts.through.objects.filter(payoutexport=export)
    last = 0
    while ids := list(
        through.filter(payout_id__gt=last)
        .order_by("payout_id")
        .values_list("payout_id", flat=True)[:CHUNK]
    ):
        yield ids
        last = ids[-1]


def _sheet_rows(export: PayoutExport, progress: Progress) -> Iterator[list]:
    """A sheet's rows, CHUNK at a time (one chunk is let go before the next is read)."""
    chosen = Payout.objects.annotate(agent_name=AGENT_NAME).order_by("pk")
    for ids in _id_chunks(export):
        chunk = list(chosen.filter(pk__in=ids).values_list(*SHEET_VALUES))
        yield from (_sheet_row(values) for values in chunk)
        progress(len(chunk))
        del chunk


def _filename(export: PayoutExport, suffix: str) -> str:
    run = export.run_id or "all"
    return f"payouts-{run}-{timezone.localdate(export.created_at):%Y%m%d}-{export.pk}.{suffix}"


def _exported(export: PayoutExport, progress: Progress, currency: str = "") -> Iterator[Payout]:
    """The export's payouts (fixed when it was recorded), CHUNK at a time by id: neither the
    rows nor a list of their ids is ever held whole (one chunk is let go before the next is
    read). No status filter: the set was fixed when it was recorded (and a payout's amounts
    never change after approval). For the bank files; sheets read plain values
    (_sheet_rows), and so never read (nor decrypt) the full account number."""
    chosen = Payout.objects.select_related("agent", "run").order_by("pk")
    if currency:
        chosen = chosen.filter(currency=currency)
    for ids in _id_chunks(export):
        chunk = list(chosen.filter(pk__in=ids))
        yield from chunk
        progress(len(chunk))
        del chunk


def _write_lines(out: BinaryIO, lines: Iterator[str]) -> None:
    for line in lines:
        out.write(line.encode())  # UTF-8, as the streamed response encoded it before


def _csv(export: PayoutExport, out: BinaryIO, progress: Progress) -> str:
    header = sheet_header(export.totals)
    # For people (a spreadsheet): the BOM; the NEFT file below is the bank's, without one.
    _write_lines(out, csv_lines(header, _sheet_rows(export, progress), bom=True))
    return _filename(export, "csv")


def _xlsx(export: PayoutExport, out: BinaryIO, progress: Progress) -> str:
    # Imported here, not at the top: openpyxl is ~10 MiB a process, and only the worker that
    # builds a sheet needs it — every web worker imports this module (bench/refdata_memory.py).
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)  # rows go to disk as they are appended
    sheet = workbook.create_sheet("Payouts")
    sheet.append(sheet_header(export.totals))
    for row in _sheet_rows(export, progress):
        # openpyxl writes text starting with "=" as a formula: the same quote as in the CSV.
        sheet.append(neutralised(row))
    workbook.save(out)
    return _filename(export, "xlsx")


def _neft(export: PayoutExport, out: BinaryIO, progress: Progress) -> str:
    header, row = bankfiles.NEFT_LAYOUTS[export.layout]
    today = timezone.localdate(export.created_at)
    rows = (row(p, today=today) for p in _exported(export, progress))
    _write_lines(out, csv_lines(header, rows))
    midnight = timezone.localtime(export.created_at).replace(hour=0, minute=0, second=0)
    serial = PayoutExport.objects.filter(
        kind=Kind.NEFT, layout=export.layout, created_at__gte=midnight, pk__lte=export.pk
    ).count()  # the bank wants the day's files numbered .001, .002 …
    return bankfiles.neft_filename(export, serial=serial)


def _pain_stream(export: PayoutExport, progress: Progress) -> Iterator[str]:
    debtor, totals = agency(), export.totals
    total = sum((Decimal(t) for t in totals.values()), Decimal("0.00"))
    yield bankfiles.pain_head(export, debtor=debtor, count=export.count, total=total)
    for currency in sorted(totals):
        yield bankfiles.pain_block_head(
            export,
            debtor=debtor,
            currency=currency,
            count=export.payouts.filter(currency=currency).count(),
            total=Decimal(totals[currency]),
        )
        for payout in _exported(export, progress, currency):
            yield bankfiles.pain_transaction(payout)
        yield bankfiles.PAIN_BLOCK_TAIL
    yield bankfiles.PAIN_TAIL


def _pain001(export: PayoutExport, out: BinaryIO, progress: Progress) -> str:
    _write_lines(out, _pain_stream(export, progress))
    return _filename(export, "pain001.xml")


WRITERS: dict[str, Callable[[PayoutExport, BinaryIO, Progress], str]] = {
    Kind.CSV: _csv,
    Kind.XLSX: _xlsx,
    Kind.NEFT: _neft,
    Kind.PAIN001: _pain001,
}


def export_file_write(*, export: PayoutExport, out: BinaryIO, progress: Progress) -> str:
    """Write the export's file to `out` (a binary file), reporting rows as they are written;
    returns the file's name for the download. Memory stays flat: CHUNK payouts at a time."""
    return WRITERS[export.kind](export, out, progress)


FORMATS: dict[str, tuple[Callable[..., QuerySet[Payout]], str]] = {
    "csv": (approved_payouts, "CSV sheet"),
    "xlsx": (approved_payouts, "Excel sheet"),
    "neft": (neft_payouts, "NEFT bulk file (INR, IFSC accounts)"),
    "pain001": (iban_payouts, "ISO 20022 pain.001 (IBAN accounts)"),
}


def _chosen(kind: str, run: SettlementRun | None) -> tuple[list[tuple], list[dict]]:
    """((id, currency, net) of each payout a bank file carries, those it cannot with reasons)."""
    select, _label = FORMATS[kind]
    ids = list(select(run=run).values_list("pk", flat=True))
    held = _held_for_review(select(run=run))
    carried, left_out = [], []
    for payout in _in_chunks(ids):
        problem = HELD_FOR_REVIEW if payout.agent_id in held else _problem(kind, payout)
        if problem is None:
            carried.append((payout.pk, payout.currency, payout.net))
            continue
        left_out.append(
            {
                "payout": payout.pk,
                "reference": reference(payout),
                "agent": str(payout.agent),
                "net": str(payout.net),
                "currency": payout.currency,
                "reason": problem,
            }
        )
    return carried, left_out


def _repeats(ids: list[int]) -> tuple[int, QuerySet[PayoutExport]]:
    """(how many of `ids` are already in a bank file, those files, latest first)."""
    through = PayoutExport.payouts.through.objects
    repeated, export_ids = 0, set()
    for i in range(0, len(ids), CHUNK):
        rows = through.filter(
            payout_id__in=ids[i : i + CHUNK], payoutexport__kind__in=PayoutExport.BANK_FILES
        ).values_list("payout_id", "payoutexport_id")
        repeated += len({payout for payout, _export in rows})
        export_ids.update(export for _payout, export in rows)
    return repeated, PayoutExport.objects.filter(pk__in=export_ids).select_related("actor")


def _refuse_repeat(previous: QuerySet[PayoutExport], repeated: int) -> None:
    shown = "; ".join(
        f"{e.msg_id} ({e.get_kind_display()}, {e.actor.email}, "
        f"{timezone.localtime(e.created_at):%d %b %Y %H:%M})"
        for e in previous[:SHOWN_PREVIOUS]
    )
    raise ApplicationError(
        f"{repeated} of these payouts are already in a bank file: {shown}. A second file "
        "would pay them twice. To export them again, give the reason (the audit log keeps it).",
        field="reason",
    )


def _payouts_add(export: PayoutExport, ids: list[int]) -> None:
    # One executemany, not bulk_create: building a model instance a row took as long as the
    # inserts themselves (0.7 s of 1.1 s for 5,000 payouts).
    through = PayoutExport.payouts.through._meta
    table, quote = through.db_table, connection.ops.quote_name
    columns = ", ".join(
        quote(through.get_field(name).column) for name in ("payoutexport", "payout")
    )
    sql = f"INSERT INTO {quote(table)} ({columns}) VALUES (%s, %s)"  # noqa: S608 (model names)
    with connection.cursor() as cursor:
        for i in range(0, len(ids), CHUNK):
            cursor.executemany(sql, [(export.pk, pk) for pk in ids[i : i + CHUNK]])


def _payouts_add_selected(export: PayoutExport, payouts: QuerySet[Payout]) -> None:
    """A sheet's payouts, fixed with one INSERT … SELECT: no id passes through Python (the
    96k-payout sheet would otherwise be 96k round trips inside the request)."""
    through = PayoutExport.payouts.through._meta
    table, quote = through.db_table, connection.ops.quote_name
    columns = ", ".join(
        quote(through.get_field(name).column) for name in ("payoutexport", "payout")
    )
    select, params = payouts.order_by().values(chosen=F("pk")).query.sql_with_params()
    sql = f"INSERT INTO {quote(table)} ({columns}) SELECT %s, s.chosen FROM ({select}) s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [export.pk, *params])


def _sheet_totals(export: PayoutExport) -> None:
    rows = export.payouts.order_by().values("currency").annotate(total=Sum("net"), n=Count("pk"))
    export.count = sum(row["n"] for row in rows)
    export.totals = {
        row["currency"]: str(quantize(row["total"], row["currency"]))
        for row in sorted(rows, key=lambda row: row["currency"])
    }


@transaction.atomic
def payout_export_record(
    *, actor: User, format: str, run: SettlementRun | None, reason: str = ""
) -> PayoutExport:
    """Fix the file's payouts and record the export, queued for its task: the row, its
    payouts (the m2m, for every kind: the task builds the file from exactly these) and the
    audit. The file itself is built by the task (billing.export_jobs).

    Two finance users exporting the same run at once must not both pass the "already in a
    bank file" check: the runs the selection spans are locked first (in id order), so the
    second export reads the payouts after the first one's record is committed.
    """
    select, _label = FORMATS[format]
    runs = select(run=run).order_by().values("run_id")
    list(SettlementRun.objects.select_for_update().filter(pk__in=runs).order_by("pk"))
    if format not in PayoutExport.BANK_FILES:  # a sheet lists every approved payout
        export = PayoutExport.objects.create(kind=format, actor=actor, run=run)
        _payouts_add_selected(export, select(run=run))
        _sheet_totals(export)
        return _recorded(export, actor=actor, repeated=0)
    carried, left_out = _chosen(format, run)
    if format == Kind.PAIN001 and not carried:
        if left_out:  # a file of nothing would not validate; say why each payout is out
            reasons = "; ".join(f"{row['agent']}: {row['reason']}" for row in left_out[:5])
            raise ApplicationError(f"No payout here can go into a pain.001 file. {reasons}")
        raise ApplicationError("No approved payouts to IBAN accounts: there is nothing to pay.")
    ids = [pk for pk, _currency, _net in carried]
    reason = reason.strip()
    repeated, previous = _repeats(ids)
    if repeated and not reason:
        _refuse_repeat(previous, repeated)
    totals: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for _pk, currency, net in carried:
        totals[currency] += net
    export = PayoutExport.objects.create(
        kind=format,
        layout=neft_layout() if format == Kind.NEFT else "",
        actor=actor,
        run=run,
        count=len(ids),
        totals={currency: str(total) for currency, total in sorted(totals.items())},
        left_out=left_out,
        reason=reason if repeated else "",
    )
    _payouts_add(export, ids)
    return _recorded(export, actor=actor, repeated=repeated)


def _recorded(export: PayoutExport, *, actor: User, repeated: int) -> PayoutExport:
    export.msg_id = f"HS{export.created_at:%Y%m%d%H%M%S}-{export.pk}"[:35]
    export.save(update_fields=["msg_id", "count", "totals"])
    total = sum((Decimal(t) for t in export.totals.values()), Decimal("0.00"))
    export_audit(actor=actor, export=export, total=total, repeated=repeated)
    return export


def left_out_of_latest(*, run: SettlementRun | None = None) -> list[PayoutExport]:
    """The latest file of each bank kind (of `run`, if given) if it left payouts out: one
    query, for the payouts page."""
    exports = PayoutExport.objects.all() if run is None else PayoutExport.objects.filter(run=run)
    latest = Q()
    for kind in PayoutExport.BANK_FILES:
        latest |= Q(
            pk=Subquery(exports.filter(kind=kind).order_by("-created_at", "-id")[:1].values("pk"))
        )
    found = PayoutExport.objects.filter(latest).select_related("actor").order_by("kind")
    return [export for export in found if export.left_out]
