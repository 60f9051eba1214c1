"""The staff routing console: who is on duty, calls waiting and ringing, the latest decisions."""

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.decorators import admin_required, staff_required, vetting_required
from clients.models import Scorecard
from common.dates import period_label
from common.views import errors_to_message
from routing import analytics, services
from routing.forms import period_from
from routing.models import Call, CallbackRequest
from routing.quality_pages import (
    CallbackFilterForm,
    callback_act,
    callback_page,
    quality_context,
    score_page,
)
from routing.selectors import (
    agent_figures_across_firms,
    callbacks_of,
    console_snapshot,
    fairness_named,
    with_quality,
)


@staff_required
def console(request):
    """Live routing: who is on duty, calls waiting and ringing, the latest decisions, and the
    calls closed without the provider's word."""
    context = console_snapshot() | {"now": timezone.now()}
    # The latest decisions, explained on first open (once each; later refreshes read them).
    context["decisions"] = services.decisions_explain(context["decisions"])
    partial = request.headers.get("HX-Request") == "true"  # htmx refreshes the live part
    template = "routing/staff/_console.html" if partial else "routing/staff/console.html"
    return render(request, template, context)


@staff_required
def agents(request):
    """Agents' calls across firms over a period, and how evenly each line's calls were
    offered among the agents free to take them (roll-ups for past days, calls for today)."""
    form, period = period_from(request.GET)
    figures = analytics.figures_for(period=period)
    return render(
        request,
        "routing/staff/agents.html",
        {
            "form": form,
            "period": period,
            "period_label": period_label(period.start, period.end),
            "agents": with_quality(agent_figures_across_firms(figures), period=period),
            "fairness": fairness_named(figures),
        },
    )


# --- Quality and the callback queue (issue 16) ---------------------------------------------


@staff_required
def staff_call(request, pk: int):
    """One call, for the staff (linked from the console): what happened, the caller masked,
    its scores — and, for the agency's quality staff (vetting admins and administrators), the
    scoring form on the firm's scorecards."""
    call = get_object_or_404(Call.objects.select_related("line", "firm", "agent"), pk=pk)
    return render(
        request,
        "routing/staff/call.html",
        {
            "call": call,
            "quality": quality_context(
                user=request.user, call=call, score_url="routing_console:call_score"
            ),
        },
    )


@vetting_required
def staff_call_score(request, pk: int, scorecard: int):
    call = get_object_or_404(Call, pk=pk)
    card = get_object_or_404(
        Scorecard.objects.filter(firm_id=call.firm_id, is_active=True), pk=scorecard
    )
    back = reverse("routing_console:call", args=[pk])
    return score_page(request, call=call, card=card, back=back)


FIRM_SCOPES = [("complete", "Complete-BPO firms (the agency's to work)"), ("all", "Every firm")]


@admin_required
def callbacks(request):
    """Every firm's callback queue for the agency's administrators: complete-BPO firms' by
    default (the agency works their calls), every firm's on asking. Callers masked."""
    form = CallbackFilterForm(request.GET or None)
    whose = (
        request.GET.get("firms") if request.GET.get("firms") in dict(FIRM_SCOPES) else "complete"
    )
    found = callbacks_of(firm=None, statuses=form.statuses())
    if whose == "complete":
        found = found.filter(firm__engagement_type="complete")
    page, rows = callback_page(request, found, full_number=False)
    return render(
        request,
        "routing/callbacks.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "action_url": "routing_console:callback_action",
            "staff": True,
            "firm_scopes": FIRM_SCOPES,
            "whose": whose,
        },
    )


@admin_required
@require_POST
@errors_to_message("routing_console:callbacks")
def callback_action(request, pk: int, action: str):
    get_object_or_404(CallbackRequest, pk=pk)
    callback_act(request, pk=pk, action=action)
    return redirect("routing_console:callbacks")
