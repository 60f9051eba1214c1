"""Routing's panel on the agent's home page: the live workspace and today's calls. The
workspace page (routing.agent_views) shows the same fragment, built here one way."""

from agents.panels import home_panel
from routing.forms import TransferForm, WrapUpForm
from routing.selectors import agent_calls_today
from routing.services.workspace import workspace_show

# Where the workspace's forms go back to: the agent's home, or the calls page.
BACK = {
    "home": "agents:home",
    "workspace": "agent_calls:workspace",
    "outbound": "outbound_agent:home",  # campaigns' page (a URL name: no import)
}


def today_context(agent) -> dict:
    today = list(agent_calls_today(agent=agent))
    return {
        "today": today,
        "answered": sum(1 for c in today if c.talk_seconds is not None),
        "talk_minutes": round(sum(c.talk_seconds or 0 for c in today) / 60, 1),
    }


def workspace_context(request, agent, *, back: str = "workspace", **forms) -> dict:
    """The workspace as shown now (`workspace_show`: an audited look at the context), with
    its wrap-up and transfer forms (bound ones passed in keep what the agent typed)."""
    ws = workspace_show(agent=agent, viewer=request.user)
    call = ws["call"]
    if call is not None:
        ws["wrap_up_form"] = forms.get("wrap_up_form") or WrapUpForm(
            codes=ws["codes"], time_zone=agent.time_zone
        )
        ws["transfer_form"] = forms.get("transfer_form") or TransferForm(
            targets=ws["targets"], escalation=str(call.line.escalation_number or "")
        )
    ws["back"] = back if back in BACK else "workspace"
    ws["today"] = today_context(agent)  # shown in the fragment: fresh at each change
    return ws


@home_panel
def calls_panel(request, agent):
    if agent.status != "verified":
        return None
    return {
        "title": "Calls",
        "template": "routing/agent/_calls_panel.html",
        "context": {"ws": workspace_context(request, agent, back="home")},
    }
