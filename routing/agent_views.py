"""The home agent's calls: the live workspace (offer, context, script, transfer, wrap-up).

The workspace is polled (htmx, every second) rather than pushed (server-sent events): the
portal runs on gunicorn's sync workers, where an open event stream holds a worker for as long
as each agent's browser stays open; a poll is one indexed query, and answers 204 (htmx swaps
nothing) while what the page shows is unchanged.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from agents.decorators import agent_profile_required
from common.errors import ApplicationError
from common.views import errors_to_form
from routing import services
from routing.forms import TransferForm, WrapUpForm
from routing.lead_selectors import coaching_notes_for_agent
from routing.panels import BACK, workspace_context
from routing.selectors import agent_call_get, scores_of_agent, workspace_key, wrap_up_codes
from routing.services.transfer import transfer_targets


@require_GET
@agent_profile_required
def workspace(request):
    """The agent's calls page: the workspace, and today's calls. `back` names where its
    forms return to (the outbound page sends the agent here for an outbound wrap-up)."""
    ws = workspace_context(request, request.agent, back=request.GET.get("back") or "workspace")
    return render(request, "routing/agent/workspace.html", {"ws": ws})


@require_GET
@agent_profile_required
def workspace_state(request):
    """The poll: 204 while the page's key (`v`) is still what the workspace shows, else the
    workspace fragment (rendered, and its context view audited, only then)."""
    if request.GET.get("v", "") == workspace_key(agent=request.agent):
        return HttpResponse(status=204)
    ws = workspace_context(request, request.agent, back=request.GET.get("back", ""))
    return render(request, "routing/agent/_workspace.html", {"ws": ws})


def _back(request):
    return redirect(BACK.get(request.POST.get("back", ""), BACK["workspace"]))


def _refused(request, **forms):
    """The workspace again, with the form's errors (the notes the agent typed kept)."""
    ws = workspace_context(request, request.agent, back=request.POST.get("back", ""), **forms)
    return render(request, "routing/agent/workspace.html", {"ws": ws}, status=400)


@require_POST
@agent_profile_required
def wrap_up_submit(request, pk: int):
    codes = wrap_up_codes(agent=request.agent, call_id=pk)
    form = WrapUpForm(request.POST, codes=codes, time_zone=request.agent.time_zone)
    if form.is_valid():
        with errors_to_form(form):
            services.call_wrap_up_submit(
                call_id=pk,
                agent=request.agent,
                disposition_id=int(form.cleaned_data["disposition"]),
                notes=form.cleaned_data["notes"],
                callback_at=form.cleaned_data["callback_at"],
            )
            messages.success(request, "Wrap-up saved. You are available for the next call.")
            return _back(request)
    return _refused(request, wrap_up_form=form)


@require_POST
@agent_profile_required
def transfer(request, pk: int):
    call = agent_call_get(agent=request.agent, call_id=pk)
    escalation = str(call.line.escalation_number or "") if call else ""
    targets = transfer_targets(call) if call else ()
    form = TransferForm(request.POST, targets=targets, escalation=escalation)
    if form.is_valid():
        try:
            services.call_transfer(call_id=pk, agent=request.agent, **form.target())
        except ApplicationError as error:
            messages.error(request, error.message)
            return _back(request)
        messages.success(request, "Caller transferred. Wrap up the call now.")
        return _back(request)
    return _refused(request, transfer_form=form)


# --- Quality (issue 16): the agent's own scores -------------------------------------------


@agent_profile_required
def agent_quality(request):
    """The agent's own quality scores: each with its ratings, the scorer's comment, the firm
    and the line — never the caller (not even masked: the score is about the agent)."""
    scores = scores_of_agent(agent=request.agent)
    notes = coaching_notes_for_agent(agent=request.agent)  # their team lead's (issue 19)
    context = {"scores": scores[:100], "notes": notes}
    return render(request, "routing/agent/quality.html", context)
