"""Staff pages on agents, all under /staff/ (StaffMFAMiddleware makes sure TOTP is enrolled):
the vetting admin's review queue, one agent's file and the decisions on it (/staff/vetting/),
and finance's withholding-tax (TDS) rates (/staff/finance/agents/).

Sign-in and role come first (anonymous -> login, other roles -> 403), then the method
(a GET on a decision endpoint -> 405).
Every rule (which transition is legal, what needs a reason) is the services'; a rule that
says no comes back as ApplicationError and is shown as a message (`common.views`), never a 500.
"""

from django.contrib import messages
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import finance_required, vetting_required
from agents import services
from agents.documents import document_response, document_viewed
from agents.models import AgentDocument, AgentProfile, VerificationCheck
from agents.selectors import agent_status_counts
from agents.staff_forms import (
    AgentDecisionForm,
    CheckDecisionForm,
    QueueFilterForm,
    TdsForm,
    form_error_message,
)
from agents.staff_selectors import (
    agent_review_get,
    agent_review_queue,
    agents_by_name,
    agents_reopened_count,
)
from common.keyset import Keyset
from common.views import errors_to_message

QUEUE_PAGE_SIZE = 25
# Both lists page by cursor (common.keyset), the queue in its own order (longest waiting
# first, never-submitted agents last), the TDS list by name: no OFFSET past 100k agents.
QUEUE_PAGES = Keyset(
    "vetting.queue", [F("submitted_at").asc(nulls_last=True), "pk"], size=QUEUE_PAGE_SIZE
)
TDS_PAGES = Keyset("finance.tds", ["full_name", "pk"], size=50)

AGENT_ACTIONS = {
    "verify": (services.agent_verify, "{agent} is verified."),
    "reject": (services.agent_reject, "{agent} is rejected."),
    "suspend": (services.agent_suspend, "{agent} is suspended."),
    "reinstate": (services.agent_reinstate, "{agent} is reinstated."),
}


@vetting_required
@require_GET
def queue(request):
    form = QueueFilterForm(request.GET)
    filters = form.filters()
    rows = agent_review_queue(**filters)
    page = QUEUE_PAGES.page(rows, cursor=request.GET.get("cursor"))
    counts = agent_status_counts()
    statuses = [(value, label, counts[value]) for value, label in AgentProfile.Status.choices]
    # The heading's count: the status's, already counted above, unless more filters narrow it.
    narrowed = any(value for key, value in filters.items() if key != "status")
    total = rows.order_by().count() if narrowed else counts.get(filters["status"], 0)
    context = {"form": form, "filters": filters, "page": page, "statuses": statuses}
    context["total"] = total
    context["reopened"] = agents_reopened_count()
    return render(request, "agents/staff/queue.html", context)


@vetting_required
@require_GET
def agent_detail(request, pk: int):
    agent = agent_review_get(pk=pk)
    if agent is None:
        raise Http404("No such agent.")
    context = {
        "agent": agent,
        "expiring": VerificationCheck.EXPIRING,
        "actions": AgentDecisionForm.ACTIONS_BY_STATUS.get(agent.status, []),
    }
    return render(request, "agents/staff/agent.html", context)


@vetting_required
@require_POST
@errors_to_message("vetting:agent", "pk")
def check_decide(request, pk: int, kind: str):
    agent = get_object_or_404(AgentProfile, pk=pk)
    form = CheckDecisionForm(request.POST)
    if kind not in VerificationCheck.Kind.values:
        messages.error(request, f"There is no check called “{kind}”.")
    elif not form.is_valid():
        messages.error(request, form_error_message(form))
    else:
        data = form.cleaned_data
        approve = data["decision"] == "approve"
        try:
            check = services.check_decide(
                agent=agent,
                kind=kind,
                approve=approve,
                actor=request.user,
                reason=data["reason"],
                expires_on=data["expires_on"],
            )
        except VerificationCheck.DoesNotExist:
            messages.error(request, "This agent has no such check to decide.")
        else:
            messages.success(
                request, f"{check.get_kind_display()}: {check.get_status_display().lower()}."
            )
    return redirect("vetting:agent", pk=agent.pk)


@vetting_required
@require_POST
@errors_to_message("vetting:agent", "pk")
def agent_decide(request, pk: int):
    agent = get_object_or_404(AgentProfile, pk=pk)
    form = AgentDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_message(form))
        return redirect("vetting:agent", pk=agent.pk)
    service, done = AGENT_ACTIONS[form.cleaned_data["action"]]
    service(agent=agent, actor=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, done.format(agent=agent))
    return redirect("vetting:agent", pk=agent.pk)


@vetting_required
@require_GET
def document(request, pk: int):
    document = get_object_or_404(AgentDocument, pk=pk)
    document_viewed(actor=request.user, document=document)  # audited: who opened whose file
    return document_response(document)


# --- Finance: TDS rates ---------------------------------------------------------------


@finance_required
def agent_tds_list(request):
    agents = agents_by_name()
    page = TDS_PAGES.page(agents, cursor=request.GET.get("cursor"))
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
    services.agent_tds_set(agent=agent, rate=form.cleaned_data["tds_rate"], actor=request.user)
    messages.success(request, f"{agent}: TDS set to {form.cleaned_data['tds_rate']}%.")
    return redirect("finance_agents:tds")
