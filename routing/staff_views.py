"""The staff routing console: who is on duty, calls waiting and ringing, the latest decisions."""

from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from accounts.decorators import staff_required
from agents.models import AgentProfile
from routing.models import Call, RoutingDecision


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
        .select_related("line", "firm", "agent")
        .order_by("created_at")[:50]
    )
    decisions = RoutingDecision.objects.select_related("call__firm", "chosen").order_by("-id")[:20]
    context = {
        "duty": [(Duty(k).label, v) for k, v in counts.items()],
        "live": live,
        "decisions": decisions,
        "now": timezone.now(),
    }
    partial = request.headers.get("HX-Request") == "true"  # htmx refreshes the live part
    template = "routing/staff/_console.html" if partial else "routing/staff/console.html"
    return render(request, template, context)
