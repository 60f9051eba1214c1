"""Campaigns' panel on the agent's home page: how much outbound work waits for them."""

from agents.models import AgentProfile
from agents.panels import home_panel
from campaigns.workspace import outbound_counts


@home_panel
def outbound_panel(request, agent: AgentProfile):
    if agent.status != AgentProfile.Status.VERIFIED:
        return None
    counts = outbound_counts(agent=agent)
    if not counts["campaigns"]:
        return None  # the agent works no running campaign: nothing to say
    return {
        "title": "Outbound",
        "template": "campaigns/agent/_panel.html",
        "context": counts,
    }
