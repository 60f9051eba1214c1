"""The home agent's calls."""

from django.shortcuts import render

from accounts.decorators import agent_required
from agents.selectors import agent_profile_get
from routing.panels import calls_context


@agent_required
def agent_panel(request):
    """The calls panel alone, for htmx to refresh on the agent's home page."""
    agent = agent_profile_get(user=request.user)
    context = calls_context(agent) if agent else {"today": []}
    return render(request, "routing/agent/_calls_panel.html", {"data": context})
