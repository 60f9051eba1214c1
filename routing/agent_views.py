"""The home agent's calls."""

from django.shortcuts import render

from agents.decorators import agent_profile_required
from routing.panels import calls_context


@agent_profile_required
def agent_panel(request):
    """The calls panel alone, for htmx to refresh on the agent's home page."""
    context = calls_context(request.agent)
    return render(request, "routing/agent/_calls_panel.html", {"data": context})
