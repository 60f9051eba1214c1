"""The staff routing console: who is on duty, calls waiting and ringing, the latest decisions."""

from django.shortcuts import render
from django.utils import timezone

from accounts.decorators import staff_required
from routing import services
from routing.selectors import console_snapshot


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
