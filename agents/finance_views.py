"""Finance staff: the agents' withholding-tax (TDS) rates. Under /staff/finance/ (TOTP gate)."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.decorators import finance_required
from agents.models import AgentProfile
from agents.services import agent_tds_set
from common.views import errors_to_message


class TdsForm(forms.Form):
    tds_rate = forms.DecimalField(min_value=0, max_value=100, decimal_places=2, label="TDS %")


@finance_required
def agent_tds_list(request):
    agents = AgentProfile.objects.select_related("user").order_by("full_name", "pk")
    page = Paginator(agents, 50).get_page(request.GET.get("page"))
    return render(request, "agents/finance/tds.html", {"page": page})


@finance_required
@require_POST
@errors_to_message("finance_agents:tds")
def agent_tds_update(request, pk: int):
    agent = get_object_or_404(AgentProfile, pk=pk)
    form = TdsForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{agent}: the rate is a percentage from 0 to 100.")
        return redirect("finance_agents:tds")
    agent_tds_set(agent=agent, rate=form.cleaned_data["tds_rate"], actor=request.user)
    messages.success(request, f"{agent}: TDS set to {form.cleaned_data['tds_rate']}%.")
    return redirect("finance_agents:tds")
