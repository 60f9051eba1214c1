"""Billing's panel on the agent's home page: this period's earnings and the last statement."""

from agents.panels import home_panel
from billing.selectors import agent_earnings_open, agent_statements


@home_panel
def earnings_panel(request, agent):
    open_earnings = agent_earnings_open(agent=agent)
    latest = agent_statements(agent=agent).first()
    # Only agents who take calls, or once had earnings (a suspended agent still gets paid).
    if agent.status != "verified" and not open_earnings["calls"] and latest is None:
        return None
    return {
        "title": "Earnings",
        "template": "billing/agent/_home_panel.html",
        "context": {"open": open_earnings, "latest": latest},
    }
