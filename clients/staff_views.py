"""Agency staff: open client firms, and match agents to complete-BPO requests."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from accounts.decorators import admin_required, finance_required
from clients import marketplace, services
from clients.forms import AssignForm, FirmCreateForm, FirmTaxForm
from clients.models import ClientFirm
from clients.selectors import firms_with_members, matching_candidates, open_complete_requests
from common.views import errors_to_form


@admin_required
def firms(request):
    form = FirmCreateForm(request.POST or None)
    base_url = request.build_absolute_uri("/")
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            services.firm_create(invited_by=request.user, base_url=base_url, **form.cleaned_data)
            messages.success(request, "Firm opened; its first admin has an invitation by email.")
            return redirect("staff_clients:firms")
    firms = firms_with_members()
    return render(request, "clients/staff/firms.html", {"firms": firms, "form": form})


@finance_required
def firm_tax_details(request, pk: int):
    """Finance (and administrators) set a firm's details for its tax invoices."""
    firm = get_object_or_404(ClientFirm, pk=pk)
    form = FirmTaxForm(request.POST or None, initial=FirmTaxForm.initial_for(firm))
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            services.firm_tax_details_set(firm=firm, user=request.user, **form.cleaned_data)
            messages.success(request, f"Tax details of {firm} saved.")
            return redirect("staff_clients:firm_tax", pk=firm.pk)
    return render(
        request, "clients/tax_details.html", {"firm": firm, "form": form, "can_edit": True}
    )


@admin_required
def matching(request):
    return render(request, "clients/staff/matching.html", {"requests": open_complete_requests()})


@admin_required
def matching_detail(request, pk: int):
    staffing = get_object_or_404(open_complete_requests(), pk=pk)
    candidates = matching_candidates(request=staffing)
    form = AssignForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        agent_ids = form.cleaned_data["agents"]
        with errors_to_form(form):
            marketplace.agents_assign(request=staffing, agent_ids=agent_ids, user=request.user)
            messages.success(request, f"{len(agent_ids)} agent(s) assigned to {staffing.firm}.")
            return redirect("staff_clients:matching_detail", pk=pk)
    applicants = set(staffing.applications.filter(status="applied").values_list("agent", flat=True))
    return render(
        request,
        "clients/staff/matching_detail.html",
        {
            "req": staffing,
            "candidates": candidates,
            "form": form,
            "applicants": applicants,
            "engagements": staffing.engagements.filter(status="active").select_related("agent"),
        },
    )
