"""The clients app's panel on the agent's home page: their engagements."""

from agents.panels import home_panel
from clients.selectors import engagements_for_agent


@home_panel
def engagements_panel(request, agent):
    if agent.status != "verified":
        return None
    engagements = engagements_for_agent(agent=agent).filter(status="active")
    return {
        "title": "Your engagements",
        "template": "clients/agent/_home_panel.html",
        "context": {"engagements": engagements},
    }
