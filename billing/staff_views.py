"""Finance staff: settlement runs, payouts and invoices. Under /staff/finance/ (TOTP gate).

Sign-in and role come first (anonymous -> login, other roles -> 403), then the method.
Every rule (which transition is legal, what an adjustment needs) is the services'; a rule that
says no comes back as ApplicationError and is shown next to its field or as a message
(`common.views`).
Agency margin (client amount - agent amount) is shown here and nowhere else.
"""

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, F, Sum
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import finance_required
from billing import selectors
from billing.disputes import dispute_answer
from billing.export_jobs import export_restart, export_start
from billing.export_jobs import lost_because as export_lost_because
from billing.exports import FORMATS, left_out_of_latest, payout_export_record
from billing.invoicing import (
    invoice_pdf_downloaded,
    statement_pdf_downloaded,
    tds_summary_downloaded,
)
from billing.ledger import adjustment_create
from billing.models import Dispute, FixedFeePlan, Invoice, Payout, PayoutExport, SettlementRun
from billing.payouts import invoice_mark_paid, payout_approve, payout_mark_paid
from billing.pdfs import invoice_pdf, pdf_response, statement_pdf
from billing.periods import open_period, period_end
from billing.plans import fee_plan_set
from billing.runs import lost_because, restart_refusal, run_restart, run_start
from billing.settlement import progress_key, run_open
from billing.staff_forms import (
    AdjustmentForm,
    ApproveForm,
    DisputeAnswerForm,
    DisputeFilterForm,
    ExportForm,
    FeePlanForm,
    InvoiceFilterForm,
    PayoutFilterForm,
    RunForm,
)
from billing.tasks import settlement_execute_task
from billing.tds import deductor, tds_summary, tds_years, year_of
from clients.models import ClientFirm
from common.audit import audit_log
from common.csvfile import csv_response
from common.dates import period_label
from common.errors import ApplicationError
from common.keyset import Keyset
from common.models import AuditAction
from common.money import money_header, quantize
from common.views import errors_to_form, errors_to_message

Kind, Status = SettlementRun.Kind, SettlementRun.Status
SHOWN_TRANSACTIONS = 500
# Finance's long lists page by cursor (common.keyset): newest run first, then by id; no
# COUNT(*) of every payout on each page (the payouts list was 111 ms at 1M rows that way).
PAYOUT_PAGES = Keyset("finance.payouts", ["-run_id", "pk"], size=50)
INVOICE_PAGES = Keyset("finance.invoices", ["-run_id", "pk"], size=50)
RUN_ROW_PAGES = Keyset("finance.run_rows", ["pk"], size=100)
FIRM_PAGES = Keyset("finance.plans", ["name", "pk"], size=50)
# Statement queries, longest waiting first (billing_dispute_queue_idx).
DISPUTE_PAGES = Keyset("finance.disputes", ["updated_at", "pk"], size=50)


def _margins(transactions) -> list[dict]:
    """Client amount, agent amount and the agency's margin, per currency."""
    rows = (
        transactions.order_by()
        .values("currency")
        .annotate(
            calls=Count("id"),
            client=Sum("client_amount"),
            agent=Sum("agent_amount"),
            margin=Sum(F("client_amount") - F("agent_amount")),
        )
        .order_by("currency")
    )
    # SQLite's sums come back without their trailing zeros: back to the currency's cents.
    money = ("client", "agent", "margin")
    return [row | {k: quantize(row[k], row["currency"]) for k in money} for row in rows]


def _next_period(kind: str) -> dict:
    """The open period an adjustment lands in, both ends (shown inclusive, |period)."""
    start = open_period(kind, timezone.localdate())
    return {"next_period": start, "next_period_end": period_end(kind, start)}


def _back(request: HttpRequest, default: str) -> str:
    url = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure())
    return url if safe else default


@finance_required
def finance_home(request):
    form = RunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            run = run_open(**form.cleaned_data, user=request.user)
            # A new run is sent to a worker. An existing one is shown as it is: done, held
            # by a worker, or failed / lost with its Restart button (audited, run_restart).
            if run.status == Status.PENDING and run.queued_at is None:
                _sent(request, run_start(run=run))
            elif run.status != Status.DONE:
                messages.info(request, "This period already has a run: its state is below.")
            return redirect("finance:run", pk=run.pk)
    page = Paginator(selectors.runs(), 25).get_page(request.GET.get("page"))
    return render(request, "billing/finance_home.html", {"form": form, "page": page})


def _sent(request: HttpRequest, sent: bool) -> None:
    if not sent:
        minutes = f"{settings.SETTLEMENT_START_WITHIN_SECONDS / 60:g}"
        messages.warning(
            request,
            "The run is queued, but the task queue cannot be reached just now. It is sent "
            f"again automatically if it has not started within {minutes} minutes.",
        )


def _progress(run: SettlementRun) -> dict:
    live = run.status in (Status.PENDING, Status.RUNNING)
    state = (cache.get(progress_key(run.pk)) or _task_state(run.task_id)) if live else None
    state = state or {"progress": run.progress, "step": run.step}
    now = timezone.now()
    return {
        "live": live,
        "percent": state["progress"],
        "step": state.get("step", ""),
        "lost": lost_because(run, now=now),
        "restartable": restart_refusal(run, now=now) is None,
    }


def _task_state(task_id: str) -> dict | None:
    if not task_id or settlement_execute_task.app.conf.task_always_eager:
        return None  # eager (development): the task ran inline, nothing is stored
    try:
        info = settlement_execute_task.AsyncResult(task_id).info
    except Exception:  # no result backend, or it is unreachable: fall back to the run row
        return None
    return info if isinstance(info, dict) and "progress" in info else None


@finance_required
@require_GET
def run_detail(request, pk: int):
    run = get_object_or_404(SettlementRun, pk=pk)
    if run.kind == Kind.AGENTS:
        rows = run.payouts.select_related("agent")
    else:
        rows = run.invoices.select_related("firm")
    return render(
        request,
        "billing/finance/run.html",
        {
            "run": run,
            "progress": _progress(run),
            "margins": _margins(selectors.run_transactions(run=run)),
            "page": RUN_ROW_PAGES.page(rows, cursor=request.GET.get("cursor")),
            # One run's rows only (the unique (run, …) index): not the whole table.
            "rows_count": rows.order_by().count(),
        },
    )


@finance_required
@require_GET
def run_progress(request, pk: int):
    run = get_object_or_404(SettlementRun, pk=pk)
    progress = _progress(run)
    response = render(
        request, "billing/finance/_run_progress.html", {"run": run, "progress": progress}
    )
    if request.headers.get("HX-Request") and not progress["live"]:
        response["HX-Refresh"] = "true"  # finished while watched: reload for totals and rows
    return response


@finance_required
@require_POST
@errors_to_message("finance:run", "pk")
def run_restart_view(request, pk: int):
    run = get_object_or_404(SettlementRun, pk=pk)
    run, sent = run_restart(actor=request.user, run_id=run.pk)
    if sent:
        messages.success(request, "The run is queued again; this page follows it.")
    _sent(request, sent)
    return redirect("finance:run", pk=run.pk)


@finance_required
@require_GET
def payouts(request):
    form = PayoutFilterForm(request.GET or None)
    rows = form.filter(selectors.payouts_all())
    run = form.cleaned_data.get("run") if form.is_valid() else None
    return render(
        request,
        "billing/finance/payouts.html",
        {
            "form": form,
            "page": PAYOUT_PAGES.page(rows, cursor=request.GET.get("cursor")),
            "formats": FORMATS,
            "run": run,
            "left_out": left_out_of_latest(run=run),
        },
    )


@finance_required
@require_POST
def payouts_approve(request):
    form = ApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("payout", ["Tick the payouts."])))
    else:
        ids = [payout.pk for payout in form.cleaned_data["payout"]]
        approved = payout_approve(actor=request.user, payout_ids=ids)
        skipped = len(ids) - len(approved)
        note = (
            f" {skipped} were not awaiting review, or are held while the agent's identity check"
            " is back in review (new bank details or name), and are unchanged."
            if skipped
            else ""
        )
        messages.success(request, f"{len(approved)} payout(s) approved.{note}")
    return redirect(_back(request, "finance:payouts"))


def _payout_page(request, payout: Payout, form=None, status: int = 200) -> HttpResponse:
    transactions = selectors.payout_transactions(payout=payout)
    return render(
        request,
        "billing/finance/payout.html",
        {
            "payout": payout,
            "transactions": transactions[:SHOWN_TRANSACTIONS],
            "margins": _margins(transactions),
            "shown": SHOWN_TRANSACTIONS,
            "adjustments": selectors.payout_adjustments(payout=payout).select_related("actor"),
            "form": form or AdjustmentForm(),
            **_next_period(Kind.AGENTS),
            "disputes": selectors.payout_disputes(payout=payout),
            "answer_form": DisputeAnswerForm(),
        },
        status=status,
    )


def _payout(pk: int) -> Payout:
    return get_object_or_404(selectors.payouts_all(), pk=pk)


@finance_required
@require_GET
def payout_detail(request, pk: int):
    return _payout_page(request, _payout(pk))


@finance_required
@require_POST
def payout_adjust(request, pk: int):
    payout, form = _payout(pk), AdjustmentForm(request.POST)
    if form.is_valid():
        with errors_to_form(form):
            adjustment_create(
                actor=request.user,
                agent=payout.agent,
                currency=payout.currency,
                **form.cleaned_data,
            )
            period = _next_period(Kind.AGENTS)
            messages.success(
                request,
                f"Adjustment recorded. It will be settled with {payout.agent}'s "
                f"payout for {period_label(period['next_period'], period['next_period_end'])}.",
            )
            return redirect("finance:payout", pk=payout.pk)
    return _payout_page(request, payout, form=form, status=400)


def _payout_refused(request, error: ApplicationError, pk: int) -> HttpResponse:
    messages.error(request, error.message)
    return _payout_page(request, _payout(pk), status=error.status_code)


@finance_required
@require_POST
@errors_to_message(_payout_refused)
def payout_paid(request, pk: int):
    payout = _payout(pk)
    payout_mark_paid(actor=request.user, payout_id=payout.pk)
    messages.success(request, f"{payout.agent}'s payout is marked paid.")
    return redirect("finance:payout", pk=payout.pk)


@finance_required
@require_GET
def invoices(request):
    form = InvoiceFilterForm(request.GET or None)
    rows = form.filter(selectors.invoices_all())
    return render(
        request,
        "billing/finance/invoices.html",
        {
            "form": form,
            "page": INVOICE_PAGES.page(rows, cursor=request.GET.get("cursor")),
        },
    )


def _invoice_page(request, invoice: Invoice, form=None, status: int = 200) -> HttpResponse:
    transactions = selectors.invoice_transactions(invoice=invoice)
    adjustments = selectors.invoice_adjustments(invoice=invoice).select_related("actor")
    return render(
        request,
        "billing/finance/invoice.html",
        {
            "invoice": invoice,
            "lines": invoice.lines.select_related("request"),
            "transactions": transactions[:SHOWN_TRANSACTIONS],
            "shown": SHOWN_TRANSACTIONS,
            "margins": _margins(transactions),
            "adjustments": adjustments,
            "form": form or AdjustmentForm(),
            **_next_period(Kind.FIRMS),
        },
        status=status,
    )


def _invoice(pk: int) -> Invoice:
    return get_object_or_404(selectors.invoices_all(), pk=pk)


@finance_required
@require_GET
def invoice_detail(request, pk: int):
    return _invoice_page(request, _invoice(pk))


@finance_required
@require_POST
def invoice_adjust(request, pk: int):
    invoice, form = _invoice(pk), AdjustmentForm(request.POST)
    if form.is_valid():
        with errors_to_form(form):
            adjustment_create(
                actor=request.user,
                firm=invoice.firm,
                currency=invoice.currency,
                **form.cleaned_data,
            )
            period = _next_period(Kind.FIRMS)
            messages.success(
                request,
                f"Adjustment recorded. It will be on {invoice.firm}'s "
                f"invoice for {period_label(period['next_period'], period['next_period_end'])}.",
            )
            return redirect("finance:invoice", pk=invoice.pk)
    return _invoice_page(request, invoice, form=form, status=400)


def _invoice_refused(request, error: ApplicationError, pk: int) -> HttpResponse:
    messages.error(request, error.message)
    return _invoice_page(request, _invoice(pk), status=error.status_code)


@finance_required
@require_POST
@errors_to_message(_invoice_refused)
def invoice_paid(request, pk: int):
    invoice = _invoice(pk)
    invoice_mark_paid(actor=request.user, invoice_id=invoice.pk)
    messages.success(request, f"Invoice {invoice.number} is marked paid.")
    return redirect("finance:invoice", pk=invoice.pk)


# --- Payout exports, built in the background (billing.export_jobs) -------------------------
# Asking for an export records it and queues its task, then shows its page: a progress bar
# that polls (htmx, like a settlement run's) and the download link once the file is ready.
# An export is its owner's: another finance user's export is a 404, like another tenant's
# data. Bank files ask for the password again both to be made and to be downloaded (issue 13).
ExportStatus = PayoutExport.Status
BANK_FILES = frozenset(PayoutExport.BANK_FILES)


def _own(request: HttpRequest, pk: int) -> PayoutExport:
    return get_object_or_404(PayoutExport, pk=pk, actor=request.user)


def _queued_message(request: HttpRequest, unsent: str | None) -> None:
    if unsent:  # common.enqueue's message: the export is kept and the sweep sends it
        messages.warning(request, f"{unsent} The export is kept and starts by itself.")


@finance_required
@require_POST  # it records an export and queues its file: never from a link
# allauth keeps the POST while finance gives the password, and replays it afterwards.
@reauthentication_required(enabled=lambda request: request.POST.get("format") in BANK_FILES)
@errors_to_message("finance:payouts")
def export_request(request):
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an export format (CSV, XLSX, NEFT or pain.001).")
        return redirect("finance:payouts")
    export = payout_export_record(actor=request.user, **form.cleaned_data)
    unsent = export_start(export=export)
    _queued_message(request, unsent)
    return redirect("finance:export_detail", pk=export.pk)


def _export_progress(export: PayoutExport) -> dict:
    return {
        "live": export.status in (ExportStatus.QUEUED, ExportStatus.RUNNING),
        "lost": export_lost_because(export, now=timezone.now()),
    }


@finance_required
@require_GET
def export_detail(request, pk: int):
    export = _own(request, pk)
    context = {"export": export, "progress": _export_progress(export)}
    return render(request, "billing/finance/export.html", context)


@finance_required
@require_GET
def export_progress(request, pk: int):
    export = _own(request, pk)
    context = {"export": export, "progress": _export_progress(export)}
    return render(request, "billing/finance/_export_progress.html", context)


def _bank_file(request: HttpRequest) -> bool:
    pk = request.resolver_match.kwargs.get("pk") if request.resolver_match else None
    return PayoutExport.objects.filter(pk=pk, kind__in=BANK_FILES).exists()


@finance_required
@require_GET
@reauthentication_required(enabled=_bank_file)
def export_download(request, pk: int):
    export = _own(request, pk)
    if export.status != ExportStatus.READY or not export.file:
        messages.error(request, f"This export's file is not there: it is {export.status}.")
        return redirect("finance:export_detail", pk=export.pk)
    audit_log(
        actor=request.user,
        action=AuditAction.EXPORT_DOWNLOADED,
        target=export,
        format=export.kind,
        count=export.count,
        msg_id=export.msg_id,
        bytes=export.size,
    )
    file = export.file.open("rb")  # closed by FileResponse after the last chunk
    return FileResponse(file, as_attachment=True, filename=export.filename)


@finance_required
@require_POST
@errors_to_message("finance:export_detail", "pk")
def export_restart_view(request, pk: int):
    export, unsent = export_restart(actor=request.user, export_id=_own(request, pk).pk)
    if not unsent:
        messages.success(request, "The export is queued again; this page follows it.")
    _queued_message(request, unsent)
    return redirect("finance:export_detail", pk=export.pk)


# --- Fixed-fee plans of complete-BPO firms (billing.plans) ----------------------------------


def _applies_from() -> dict:
    start = selectors.fee_plan_applies_from()
    return {"start": start, "end": period_end(Kind.FIRMS, start)}


@finance_required
@require_GET
def fee_plans(request):
    rows = selectors.complete_bpo_firms()
    context = {
        "page": FIRM_PAGES.page(rows, cursor=request.GET.get("cursor")),
        "applies_from": _applies_from(),
    }
    return render(request, "billing/finance/plans.html", context)


@finance_required
def fee_plan(request, pk: int):
    firm = get_object_or_404(ClientFirm, pk=pk)
    plan = FixedFeePlan.objects.filter(firm=firm).first()
    form, status = FeePlanForm.for_plan(plan, firm), 200
    if request.method == "POST":
        form = FeePlanForm(request.POST)
        if form.is_valid():
            with errors_to_form(form):
                fee_plan_set(actor=request.user, firm=firm, **form.terms())
                messages.success(request, f"{firm}'s fixed-fee plan is saved.")
                return redirect("finance:plans")
        status = 400
    context = {"firm": firm, "plan": plan, "form": form, "applies_from": _applies_from()}
    return render(request, "billing/finance/plan.html", context, status=status)


# --- Statement queries (billing.disputes) ---------------------------------------------------


@finance_required
@require_GET
def disputes(request):
    form = DisputeFilterForm(request.GET or None, initial={"status": Dispute.Status.OPEN})
    status = form.status_or_default()
    rows = selectors.disputes_all(status=status)
    page = DISPUTE_PAGES.page(rows, cursor=request.GET.get("cursor"))
    return render(
        request, "billing/finance/disputes.html", {"form": form, "page": page, "status": status}
    )


def _answer_refused(request, error: ApplicationError, pk: int) -> HttpResponse:
    messages.error(request, error.message)
    dispute = get_object_or_404(Dispute, pk=pk)
    return redirect(reverse("finance:payout", args=[dispute.payout_id]) + f"#query-{pk}")


@finance_required
@require_POST
@errors_to_message(_answer_refused)
def dispute_answer_view(request, pk: int):
    dispute = get_object_or_404(Dispute, pk=pk)
    form = DisputeAnswerForm(request.POST)
    if not form.is_valid():
        errors = [e for field in form.errors.values() for e in field]
        messages.error(request, " ".join(errors))
    else:
        dispute = dispute_answer(actor=request.user, dispute_id=dispute.pk, **form.cleaned_data)
        messages.success(request, f"Query {dispute.pk}: {dispute.get_status_display().lower()}.")
    return redirect(reverse("finance:payout", args=[dispute.payout_id]) + f"#query-{pk}")


# --- Tax documents (issue 15): PDFs and the quarterly TDS summary -------------------------


@finance_required
@require_GET
def invoice_pdf_view(request, pk: int):
    invoice = _invoice(pk)
    content = invoice_pdf(invoice)
    invoice_pdf_downloaded(invoice=invoice, user=request.user)
    return pdf_response(content, f"{invoice.filename}.pdf")


@finance_required
@require_GET
def payout_pdf_view(request, pk: int):
    payout = _payout(pk)
    content = statement_pdf(
        payout,
        selectors.payout_transactions(payout=payout),
        selectors.payout_adjustments(payout=payout),
    )
    statement_pdf_downloaded(payout=payout, user=request.user)
    return pdf_response(content, f"statement-{payout.pk}.pdf")


@finance_required
@require_GET
def tds_summary_view(request):
    fy_start, year = year_of(request.GET.get("year"))
    return render(
        request,
        "billing/finance/tds.html",
        {
            "year": year,
            "years": tds_years(),
            "quarters": tds_summary(fy_start=fy_start),
            "deductor": deductor(),
        },
    )


@finance_required
@require_GET
def tds_summary_csv(request):
    fy_start, year = year_of(request.GET.get("year"))
    agency = deductor()
    header = [
        "financial_year",
        "quarter",
        "deductor_tan",
        "section",
        "agent",
        "pan",
        "currency",
        "statements",
        money_header("Amount paid/credited"),
        money_header("TDS deducted"),
        money_header("Net"),
        "first_credit",
        "last_credit",
    ]
    rows = [
        [
            year,
            q.name,
            agency["tan"],
            agency["section"],
            r.name,
            r.pan,
            r.currency,
            r.statements,
            r.gross,
            r.tds,
            r.net,
            r.first_credit.isoformat(),
            r.last_credit.isoformat(),
        ]
        for q in tds_summary(fy_start=fy_start)
        for r in q.rows
    ]
    tds_summary_downloaded(user=request.user, year=year)
    return csv_response(header, rows, filename=f"tds-{year}.csv")
