"""Routing's panel on the agent's home page: the current call and today's calls."""

from agents.panels import home_panel
from routing.selectors import agent_calls_today, agent_current_call


def calls_context(agent) -> dict:
    today = list(agent_calls_today(agent=agent))
    return {
        "current": agent_current_call(agent=agent),
        "today": today,
        "answered": sum(1 for c in today if c.talk_seconds is not None),
        "talk_minutes": round(sum(c.talk_seconds or 0 for c in today) / 60, 1),
    }


@home_panel
def calls_panel(request, agent):
    if agent.status != "verified":
        return None
    return {
        "title": "Calls",
        "template": "routing/agent/_calls_panel.html",
        "context": calls_context(agent),
    }
