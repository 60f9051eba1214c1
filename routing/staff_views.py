"""The staff routing console: who is on duty, calls waiting and ringing, the latest decisions."""

from django.shortcuts import render
from django.utils import timezone

from accounts.decorators import staff_required
from common.dates import period_label
from routing import analytics, services
from routing.forms import period_from
from routing.selectors import agent_figures_across_firms, console_snapshot, fairness_named


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
            "agents": agent_figures_across_firms(figures),
            "fairness": fairness_named(figures),
        },
    )
