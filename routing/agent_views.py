"""The home agent's calls."""

from django.shortcuts import render

from agents.decorators import agent_profile_required
from routing.panels import calls_context
from routing.selectors import scores_of_agent


@agent_profile_required
def agent_panel(request):
    """The calls panel alone, for htmx to refresh on the agent's home page."""
    context = calls_context(request.agent)
    return render(request, "routing/agent/_calls_panel.html", {"data": context})


# --- Quality (issue 16): the agent's own scores -------------------------------------------


@agent_profile_required
def agent_quality(request):
    """The agent's own quality scores: each with its ratings, the scorer's comment, the firm
    and the line — never the caller (not even masked: the score is about the agent)."""
    scores = scores_of_agent(agent=request.agent)
    return render(request, "routing/agent/quality.html", {"scores": scores[:100]})
