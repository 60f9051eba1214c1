"""The home agent's marketplace pages: open requests that fit them, and their engagements."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from agents.decorators import agent_profile_required
from clients import marketplace
from clients.forms import ReasonForm
from clients.models import Application, StaffingRequest
from clients.selectors import applications_of_agent, engagements_for_agent, opportunities_for
from common.views import errors_to_message


@agent_profile_required
def opportunities(request):
    agent = request.agent
    return render(
        request,
        "clients/agent/opportunities.html",
        {
            "agent": agent,
            "opportunities": opportunities_for(agent=agent) if agent.status == "verified" else [],
            "applications": applications_of_agent(agent=agent),
        },
    )


@require_POST
@agent_profile_required
@errors_to_message("opportunities:list")
def apply(request, pk: int):
    agent = request.agent
    staffing = get_object_or_404(StaffingRequest, pk=pk, status=StaffingRequest.Status.OPEN)
    marketplace.application_create(agent=agent, request=staffing)
    messages.success(request, f"You applied to “{staffing.title}” at {staffing.firm}.")
    return redirect("opportunities:list")


@require_POST
@agent_profile_required
@errors_to_message("opportunities:list")
def withdraw(request, pk: int):
    agent = request.agent
    get_object_or_404(Application, pk=pk, agent=agent)
    marketplace.application_withdraw(agent=agent, application_id=pk)
    messages.success(request, "Application withdrawn.")
    return redirect("opportunities:list")


@agent_profile_required
def engagements(request):
    agent = request.agent
    return render(
        request,
        "clients/agent/engagements.html",
        {
            "engagements": engagements_for_agent(agent=agent).prefetch_related("lines"),
        },
    )


@require_POST
@agent_profile_required
@errors_to_message("opportunities:engagements")
def engagement_end(request, pk: int):
    agent = request.agent
    get_object_or_404(engagements_for_agent(agent=agent), pk=pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    marketplace.engagement_end(engagement_id=pk, agent=agent, user=request.user, reason=reason)
    messages.success(request, "Engagement ended.")
    return redirect("opportunities:engagements")
