"""Agency administrators: the franchises (local teams), their leads and agents (issue 19)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import admin_required
from agents.gazetteer import place_search
from common.views import errors_to_form
from teams import services
from teams.forms import FranchiseForm, MemberAddForm, MemberRemoveForm
from teams.models import Franchise
from teams.selectors import franchise_list, franchise_members


@admin_required
def franchises(request):
    form = FranchiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            franchise = services.franchise_save(actor=request.user, **_fields(form))
            messages.success(request, f"Franchise {franchise.name} opened.")
            return redirect("staff_teams:franchise", pk=franchise.pk)
    context = {"franchises": franchise_list(), "form": form}
    return render(request, "teams/staff/franchises.html", context)


@admin_required
def franchise(request, pk: int):
    team = get_object_or_404(Franchise, pk=pk)
    form = FranchiseForm(request.POST or None, initial=FranchiseForm.initial_for(team))
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            services.franchise_save(actor=request.user, franchise=team, **_fields(form))
            messages.success(request, "Franchise saved.")
            return redirect("staff_teams:franchise", pk=team.pk)
    return _franchise_page(request, team, form=form, add_form=MemberAddForm())


@require_POST
@admin_required
def member_add(request, pk: int):
    team = get_object_or_404(Franchise, pk=pk)
    add_form = MemberAddForm(request.POST)
    if add_form.is_valid():
        agent = add_form.cleaned_data["agent"]
        with errors_to_form(add_form):
            services.franchise_member_add(actor=request.user, franchise=team, agent=agent)
            messages.success(request, f"{agent} added to {team.name}.")
            return redirect("staff_teams:franchise", pk=team.pk)
    form = FranchiseForm(initial=FranchiseForm.initial_for(team))
    return _franchise_page(request, team, form=form, add_form=add_form, status=400)


@require_POST
@admin_required
def member_remove(request, pk: int):
    team = get_object_or_404(Franchise, pk=pk)
    remove_form = MemberRemoveForm(request.POST)
    if remove_form.is_valid():
        agent = remove_form.cleaned_data["agent"]
        with errors_to_form(remove_form):
            services.franchise_member_remove(actor=request.user, franchise=team, agent=agent)
            messages.success(request, f"{agent} removed from {team.name}.")
            return redirect("staff_teams:franchise", pk=team.pk)
    messages.error(request, " ".join(e for errs in remove_form.errors.values() for e in errs))
    return redirect("staff_teams:franchise", pk=team.pk)


@require_GET
@admin_required
def city_options(request):
    places = place_search(request.GET.get("city", ""))
    return render(request, "agents/_city_options.html", {"places": places})


def _fields(form: FranchiseForm) -> dict:
    data = form.cleaned_data
    return {"name": data["name"], "geoname_id": data.get("geoname_id"), "lead": data.get("lead")}


def _franchise_page(request, team, *, form, add_form, status=200):
    context = {
        "franchise": team,
        "form": form,
        "add_form": add_form,
        "members": franchise_members(franchise=team),
    }
    return render(request, "teams/staff/franchise.html", context, status=status)
