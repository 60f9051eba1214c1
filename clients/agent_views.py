"""The home agent's marketplace pages: open requests that fit them, and their engagements."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from agents.decorators import agent_profile_required
from clients import marketplace
from clients.forms import EndReasonForm
from clients.models import Application, Engagement, StaffingRequest
from clients.selectors import applications_of_agent, engagements_for_agent, opportunities_for
from common.views import confirm_page, errors_to_form, errors_to_message


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


@agent_profile_required
@errors_to_message("opportunities:list")
def withdraw(request, pk: int):
    """GET: what withdrawing does; POST: withdraws the application."""
    agent = request.agent
    application = get_object_or_404(
        Application.objects.select_related("request__firm"), pk=pk, agent=agent
    )
    if request.method == "GET" and application.status != Application.Status.APPLIED:
        messages.info(request, f"This application is {application.get_status_display().lower()}.")
        return redirect("opportunities:list")
    if request.method == "POST":
        marketplace.application_withdraw(agent=agent, application_id=pk)
        messages.success(request, "Application withdrawn.")
        return redirect("opportunities:list")
    return confirm_page(
        request,
        title=f"Withdraw your application to “{application.request.title}”?",
        consequences=[
            f"{application.request.firm} no longer sees you among its applicants.",
            "While the request is open, you can apply again.",
        ],
        confirm_label="Withdraw my application",
        cancel_url=reverse("opportunities:list"),
    )


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


@agent_profile_required
def engagement_end(request, pk: int):
    """GET: what ending it does, and the reason to give; POST: ends it."""
    agent = request.agent
    engagement = get_object_or_404(engagements_for_agent(agent=agent), pk=pk)
    if request.method == "GET" and engagement.status != Engagement.Status.ACTIVE:
        messages.info(request, "This engagement has already ended.")
        return redirect("opportunities:engagements")
    form = EndReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            marketplace.engagement_end(
                engagement_id=pk, agent=agent, user=request.user, **form.cleaned_data
            )
            messages.success(request, "Engagement ended.")
            return redirect("opportunities:engagements")
    return confirm_page(
        request,
        title=f"End your engagement with {engagement.firm} on “{engagement.request.title}”?",
        consequences=[
            "You stop receiving this firm's calls at once.",
            "Calls you have already taken are paid as usual.",
            "The firm sees that it ended and your reason.",
        ],
        form=form,
        confirm_label="End the engagement",
        cancel_url=reverse("opportunities:engagements"),
    )
