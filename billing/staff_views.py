"""Finance staff: settlement runs, payouts and invoices. Under /staff/finance/ (TOTP gate).

Sign-in and role come first (anonymous -> login, other roles -> 403), then the method.
Every rule (which transition is legal, what an adjustment needs) is the services'; a rule that
says no comes back as ApplicationError and is shown next to its field or as a message
(`common.views`).
Agency margin (client amount - agent amount) is shown here and nowhere else.
"""

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, F, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import finance_required
from billing import selectors
from billing.exports import FORMATS, left_out_of_latest
from billing.ledger import adjustment_create
from billing.models import Invoice, Payout, SettlementRun
from billing.payouts import invoice_mark_paid, payout_approve, payout_mark_paid
from billing.periods import open_period
from billing.runs import lost_because, restart_refusal, run_restart, run_start
from billing.settlement import progress_key, run_open
from billing.staff_forms import (
    AdjustmentForm,
    ApproveForm,
    InvoiceFilterForm,
    PayoutFilterForm,
    RunForm,
)
from billing.tasks import settlement_execute_task
from common.errors import ApplicationError
from common.money import quantize
from common.views import errors_to_form, errors_to_message

Kind, Status = SettlementRun.Kind, SettlementRun.Status
SHOWN_TRANSACTIONS = 500


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
            "page": Paginator(rows, 100).get_page(request.GET.get("page")),
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
            "page": Paginator(rows, 50).get_page(request.GET.get("page")),
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
            "next_period": open_period(Kind.AGENTS, timezone.localdate()),
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
            period = open_period(Kind.AGENTS, timezone.localdate())
            messages.success(
                request,
                f"Adjustment recorded. It will be paid with {payout.agent}'s "
                f"payout for the period from {period:%d %b %Y}.",
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
            "page": Paginator(rows, 50).get_page(request.GET.get("page")),
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
            "next_period": open_period(Kind.FIRMS, timezone.localdate()),
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
            period = open_period(Kind.FIRMS, timezone.localdate())
            messages.success(
                request,
                f"Adjustment recorded. It will be on {invoice.firm}'s "
                f"invoice for the period from {period:%d %b %Y}.",
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
