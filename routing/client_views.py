"""The firm's calls and service level, read through request.firm only (another firm's call: 404)."""

from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from clients.decorators import firm_member
from clients.selectors import lines_of, scorecards_of
from common.csvfile import csv_response
from common.dates import period_label
from common.keyset import Keyset
from common.views import errors_to_message
from routing import analytics, services
from routing.charts import calls_chart
from routing.forms import CallFilterForm, period_from
from routing.quality_pages import (
    CallbackFilterForm,
    callback_act,
    callback_page,
    quality_context,
    score_page,
)
from routing.selectors import agent_figures_named, callbacks_of, calls_of, with_quality
from routing.services.context import context_panel

# The firm's call history, newest first, a page at a time (common.keyset). The cursor
# only positions within request.firm's calls: another firm's cursor shows none of theirs.
CALL_PAGES = Keyset("firm.calls", ["-created_at", "-pk"], size=50)


@firm_member
def firm_calls(request):
    """The period's service level per line (each against its own target), by day and by
    half-hour, and per agent: roll-ups for past days, the calls for today."""
    firm = request.firm
    form, period = period_from(request.GET)
    figures = analytics.figures_for(period=period, firm=firm)
    by_line = analytics.per_line(figures)
    zero = analytics.per_day_zero()
    lines = [{"line": line, **by_line.get(line.pk, zero)} for line in lines_of(firm=firm)]
    days, slots = analytics.per_day(figures), analytics.per_slot(figures)
    label = period_label(period.start, period.end)
    return render(
        request,
        "routing/client/calls.html",
        {
            "form": form,
            "period": period,
            "period_label": label,
            "lines": lines,
            "total": analytics.total(lines),
            "days": days,
            "slots": [s for s in slots if s["offered"]],
            "day_chart": calls_chart(
                chart_id="chart-calls-by-day",
                title=f"Calls by day, {label}",
                x_title="Day",
                rows=days,
                label=lambda d: d["day"].strftime("%d %b"),
            ),
            "slot_chart": calls_chart(
                chart_id="chart-calls-by-half-hour",
                title=f"Calls by time of day (half-hours), {label}",
                x_title="Time of day (half-hour starting)",
                rows=slots,
                label=lambda s: s["label"],
            ),
            "agents": with_quality(
                agent_figures_named(figures, firm=firm), period=period, firm=firm
            ),
            "today": timezone.localdate(),
        },
    )


def _history(request):
    form = CallFilterForm(request.GET or None, firm=request.firm)
    calls = calls_of(firm=request.firm)
    if form.is_bound and not form.is_valid():
        calls = calls.none()  # another firm's line or agent, a bad date: a message, no rows
    elif form.is_bound:
        calls = form.filter(calls)
    return form, calls


@firm_member
def firm_call_history(request):
    """Every call of the firm, newest first, filtered, a page at a time."""
    form, calls = _history(request)
    query = request.GET.dict()
    page = CALL_PAGES.page(calls, cursor=request.GET.get("cursor"), query=query)
    csv_query = urlencode({k: v for k, v in query.items() if k != "cursor" and v})
    csv_url = reverse("calls:history_csv") + (f"?{csv_query}" if csv_query else "")
    return render(
        request,
        "routing/client/history.html",
        {"form": form, "page": page, "csv_url": csv_url},
    )


CSV_HEADER = [
    "time",
    "line",
    "caller",
    "caller from",
    "language",
    "agent",
    "outcome",
    "waited (s)",
    "talk (s)",
    # Issue 16: how the call ended for the firm; notes only when it includes them.
    "disposition",
    "survey score",
    "transferred",
]
NOTES_HEADER = "notes"


@firm_member
def firm_call_history_csv(request):
    """The filtered history as CSV, streamed: callers masked, agents by name only. A filter
    the page would refuse is a 400 saying why, not an empty file that looks like no calls."""
    form, calls = _history(request)
    if form.is_bound and not form.is_valid():
        problems = "; ".join(
            f"{form.fields[name].label if name in form.fields else name}: {' '.join(errors)}"
            for name, errors in form.errors.items()
        )
        return HttpResponseBadRequest(
            f"No CSV: correct the filter first ({problems}).\n",
            content_type="text/plain; charset=utf-8",
        )
    notes = request.firm.notes_in_records
    header = [*CSV_HEADER, NOTES_HEADER] if notes else CSV_HEADER
    rows = (
        [
            timezone.localtime(c.created_at).strftime("%Y-%m-%d %H:%M:%S"),
            c.line.name,
            c.caller_masked,
            c.origin_label,
            c.language_name,
            c.agent.full_name if c.agent else "",
            c.get_status_display(),
            round(c.wait_seconds) if c.wait_seconds is not None else "",
            c.talk_seconds if c.talk_seconds is not None else "",
            f"{c.disposition.code} {c.disposition.label}" if c.disposition else "",
            c.survey_score if c.survey_score is not None else "",
            "yes" if c.transferred_at else "",
            *([c.notes] if notes else []),
        ]
        for c in calls.select_related("disposition")
        .order_by("-created_at", "-pk")
        .iterator(chunk_size=2000)
    )
    return csv_response(header, rows, filename="calls.csv")


@firm_member
def firm_call(request, pk: int):
    calls = calls_of(firm=request.firm).select_related("disposition", "script", "transfer_line")
    call = get_object_or_404(calls, pk=pk)
    return render(
        request,
        "routing/client/call.html",
        {
            "call": call,
            # Explained on first open (once), judged at each decision's own time.
            "decisions": services.decisions_explain(call.decisions.select_related("chosen")),
            "quality": quality_context(user=request.user, call=call, score_url="calls:score"),
            "customer_context": context_panel(call=call),
        },
    )


# --- Quality: scoring the firm's calls (issue 16) -------------------------------------------


@firm_member
def firm_call_score(request, pk: int, scorecard: int):
    """Score one of the firm's answered calls on one of its scorecards (the form also sits on
    the call's page; here it is drawn again with its errors)."""
    call = get_object_or_404(calls_of(firm=request.firm), pk=pk)
    card = get_object_or_404(scorecards_of(firm=request.firm).filter(is_active=True), pk=scorecard)
    return score_page(request, call=call, card=card, back=reverse("calls:detail", args=[pk]))


# --- The callback queue (issue 16): /client/callbacks/ --------------------------------------


@firm_member
def firm_callbacks(request):
    """The firm's voicemails and callback requests, open and assigned first; its people
    assign them to an engaged agent, mark them done, or reopen them."""
    form = CallbackFilterForm(request.GET or None)
    callbacks = callbacks_of(firm=request.firm, statuses=form.statuses())
    page, rows = callback_page(request, callbacks, full_number=True)
    return render(
        request,
        "routing/callbacks.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "action_url": "callbacks:action",
            "staff": False,
        },
    )


@firm_member
@require_POST
@errors_to_message("callbacks:list")
def firm_callback_action(request, pk: int, action: str):
    get_object_or_404(callbacks_of(firm=request.firm), pk=pk)  # another firm's: 404
    callback_act(request, pk=pk, action=action)
    return redirect("callbacks:list")
