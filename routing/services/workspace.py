"""The agent's workspace during a call: what the portal shows the agent holding a call.

Shown when the page's key (`routing.selectors.workspace_key`) changes, and only then: each
showing is one audited look at the customer context (`call_context_for`), and records on the
call the script version its agent was shown first. The poll answering "unchanged" (204) reads
the key alone and touches none of this.
"""

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from agents.models import AgentProfile
from clients.models import ContextSource, DispositionCode
from clients.scripts import script_for, script_html
from routing.models import Call
from routing.selectors import caller_history, workspace_calls, workspace_key_of, workspace_pick
from routing.services.context import call_context_for, context_rows
from routing.services.transfer import transfer_targets

HISTORY_DAYS = 30

# An outbound call's workspace is the campaign's to describe (its name, the contact's fields
# the campaign shows, instead of the line's context source): campaigns registers a function
# at startup (`outbound_view`), so routing never imports the app above it. It gets the call
# and the agent holding it and returns a dict, or None (not one of its calls).
_OUTBOUND_VIEWS: list[Callable[..., dict | None]] = []


def outbound_view(function: Callable[..., dict | None]):
    """Decorator: describe outbound calls on the workspace (idempotent)."""
    if function not in _OUTBOUND_VIEWS:
        _OUTBOUND_VIEWS.append(function)
    return function


def _outbound(call: Call, agent: AgentProfile) -> dict | None:
    if call.direction != Call.Direction.OUTBOUND:
        return None
    for function in _OUTBOUND_VIEWS:
        if (found := function(call=call, agent=agent)) is not None:
            return found
    return None


def _script(call: Call):
    """The version first shown stays the call's (a firm saving a new one mid-call does not
    change what this agent was shown); recorded once, by compare-and-set."""
    if call.script_id is not None:
        return call.script
    script = script_for(call.line, call.language)
    if script is not None:
        Call.objects.filter(pk=call.pk, script__isnull=True).update(script=script)
    return script


def workspace_show(*, agent: AgentProfile, viewer, at: dt.datetime | None = None) -> dict:
    """Everything the workspace shows now, with its key (see the module)."""
    at = at or timezone.now()
    calls = list(workspace_calls(agent=agent, at=at).select_related("line", "firm", "script")[:2])
    if not calls:
        return {"key": "idle", "call": None}
    call = workspace_pick(calls)
    history = caller_history(call=call, days=HISTORY_DAYS)
    script = _script(call)
    outbound = _outbound(call, agent)
    # An outbound call shows the campaign's fields of the contact, not the line's context.
    context = None if outbound else call_context_for(call=call, viewer=viewer)
    live = call.status in Call.LIVE
    pending = call.wrap_up == Call.WrapUp.PENDING
    agent.refresh_from_db(fields=["wrap_up_until", "duty_status"])
    return {
        "key": workspace_key_of(call.pk, call.status, call.wrap_up),
        "call": call,
        "history": history,
        "history_days": HISTORY_DAYS,
        "served_by_you": history["last_agent_id"] == agent.pk,
        "script": script,
        "script_html": script_html(script.body) if script else "",
        "context": context,
        "context_rows": context_rows(context),
        "show_context": not outbound and call.line.context_source != ContextSource.NONE,
        "outbound": outbound,
        "talking": call.status == Call.Status.IN_PROGRESS,
        "ringing": call.status == Call.Status.OFFERED,
        "live": live,
        "wrap_up_pending": pending and not live,
        "deadline": agent.wrap_up_until if pending else None,
        "codes": list(DispositionCode.objects.filter(line=call.line, is_active=True))
        if pending
        else [],
        "targets": transfer_targets(call) if call.status == Call.Status.IN_PROGRESS else [],
    }
