"""Routing's pages: the agent's calls panel, the firm's calls and service level, the staff
routing console. Firm pages read through request.firm only (another firm's call: 404)."""

import datetime as dt

from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts.decorators import agent_required, staff_required
from agents.models import AgentProfile
from agents.selectors import agent_profile_get
from clients.decorators import firm_member
from clients.selectors import lines_of
from routing.models import Call, RoutingDecision
from routing.panels import calls_context
from routing.selectors import calls_by_day, calls_of, service_level

DEFAULT_TARGET_SECONDS = 20


@agent_required
def agent_panel(request):
    """The calls panel alone, for htmx to refresh on the agent's home page."""
    agent = agent_profile_get(user=request.user)
    context = calls_context(agent) if agent else {"today": []}
    return render(request, "routing/agent/_calls_panel.html", {"data": context})


def _since_midnight() -> dt.datetime:
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


@firm_member
def firm_calls(request):
    firm = request.firm
    calls = calls_of(firm=firm)
    today = calls.filter(created_at__gte=_since_midnight())
    per_line = [
        {"line": line, "sl": service_level(today.filter(line=line),
                                           target_seconds=DEFAULT_TARGET_SECONDS)}
        for line in lines_of(firm=firm)
    ]  # fmt: skip
    fortnight = calls.filter(created_at__gte=_since_midnight() - dt.timedelta(days=13))
    days = calls_by_day(fortnight)
    chart = {
        "id": "chart-calls-by-day", "type": "bar",
        "title": "Calls by day: answered and abandoned (last 14 days)",
        "labels": [d["day"].strftime("%d %b") for d in days],
        "datasets": [
            {"label": "Answered", "data": [d["answered"] for d in days]},
            {"label": "Abandoned", "data": [d["abandoned"] for d in days]},
            {"label": "All calls", "data": [d["total"] for d in days]},
        ],
    }  # fmt: skip
    return render(request, "routing/client/calls.html", {
        "per_line": per_line, "target": DEFAULT_TARGET_SECONDS, "chart": chart,
        "today": service_level(today, target_seconds=DEFAULT_TARGET_SECONDS),
        "recent": calls[:50],
    })  # fmt: skip


@firm_member
def firm_call(request, pk: int):
    call = get_object_or_404(calls_of(firm=request.firm), pk=pk)
    return render(request, "routing/client/call.html", {
        "call": call, "decisions": call.decisions.select_related("chosen"),
    })  # fmt: skip


@staff_required
def console(request):
    """Live routing: who is on duty, calls waiting and ringing, the latest decisions."""
    Duty = AgentProfile.Duty
    counts = dict.fromkeys(Duty.values, 0)
    verified = AgentProfile.objects.filter(status="verified").order_by()
    for status, n in verified.values_list("duty_status").annotate(n=Count("id")):
        counts[status] = n
    live = (
        Call.objects.filter(status__in=[*Call.WAITING, *Call.LIVE])
        .select_related("line", "firm", "agent").order_by("created_at")[:50]
    )  # fmt: skip
    decisions = RoutingDecision.objects.select_related("call__firm", "chosen").order_by("-id")[:20]
    context = {"duty": [(Duty(k).label, v) for k, v in counts.items()], "live": live,
               "decisions": decisions, "now": timezone.now()}  # fmt: skip
    partial = request.headers.get("HX-Request") == "true"  # htmx refreshes the live part
    template = "routing/staff/_console.html" if partial else "routing/staff/console.html"
    return render(request, template, context)
