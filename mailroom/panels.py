"""Email's panel on the agent's home page: the conversations with them now."""

from agents.models import AgentProfile
from agents.panels import home_panel
from mailroom.selectors import agent_open_conversations


@home_panel
def email_panel(request, agent: AgentProfile):
    if agent.status != AgentProfile.Status.VERIFIED:
        return None
    return {
        "title": "Email",
        "template": "mailroom/panel_agent_home.html",
        "context": {"open": agent_open_conversations(agent=agent)},
    }
