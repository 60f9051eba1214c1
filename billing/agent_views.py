"""The agent's earnings: this period so far, past statements, a printable statement, and
the agent's queries about a statement (billing.disputes)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from agents.decorators import agent_profile_required
from billing.disputes import dispute_follow_up, dispute_open
from billing.forms import DisputeOpenForm, DisputeReplyForm
from billing.invoicing import statement_pdf_downloaded
from billing.models import Dispute, Payout
from billing.pdfs import pdf_response, statement_pdf
from billing.selectors import (
    agent_earnings_open,
    agent_statements,
    payout_adjustments,
    payout_disputes,
    payout_transactions,
)
from billing.tds import tds_summary, year_of
from common.errors import ApplicationError
from common.keyset import Keyset
from common.views import errors_to_form, errors_to_message

# This period's calls, newest first, a page at a time: a busy agent's page listed every
# call of the period (393 ms and 366 KB). The cursor only seeks within the agent's own rows.
EARNINGS_PAGES = Keyset("agent.earnings", ["-occurred_at", "-pk"], size=50)
# Statements, newest period first: the earnings page shows the latest few (one a week adds
# up: three years listed 150), the statements page all of them by cursor.
STATEMENT_PAGES = Keyset("agent.statements", ["-run__period_start", "-pk"], size=25)
LATEST_STATEMENTS = 12


@agent_profile_required
def earnings(request):
    open_earnings = agent_earnings_open(agent=request.agent)
    page = EARNINGS_PAGES.page(open_earnings["transactions"], cursor=request.GET.get("cursor"))
    latest = list(agent_statements(agent=request.agent)[: LATEST_STATEMENTS + 1])
    return render(
        request,
        "billing/agent/earnings.html",
        {
            "open": open_earnings,
            "page": page,
            "statements": latest[:LATEST_STATEMENTS],
            "more_statements": len(latest) > LATEST_STATEMENTS,
            "tds_quarters": tds_summary(fy_start=year_of(None)[0], agent=request.agent),
            "tds_year": year_of(None)[1],
        },
    )


@agent_profile_required
def statements(request):
    rows = agent_statements(agent=request.agent)
    page = STATEMENT_PAGES.page(rows, cursor=request.GET.get("cursor"))
    return render(request, "billing/agent/statements.html", {"page": page})


def _own_payout(request, pk: int) -> Payout:
    # Only the agent's own payouts: another agent's statement is a 404.
    payouts = agent_statements(agent=request.agent).select_related("agent")
    return get_object_or_404(payouts, pk=pk)


@agent_profile_required
def statement(request, pk: int):
    payout = _own_payout(request, pk)
    return render(
        request,
        "billing/agent/statement.html",
        {
            "payout": payout,
            "transactions": payout_transactions(payout=payout),
            "adjustments": payout_adjustments(payout=payout),
            "disputes": payout_disputes(payout=payout),
            "reply_form": DisputeReplyForm(),
        },
    )


@agent_profile_required
@require_GET
def statement_pdf_view(request, pk: int):
    """The agent's own statement as PDF, with their PAN in full (another agent's id: 404)."""
    payout = get_object_or_404(agent_statements(agent=request.agent).select_related("agent"), pk=pk)
    content = statement_pdf(
        payout, payout_transactions(payout=payout), payout_adjustments(payout=payout)
    )
    statement_pdf_downloaded(payout=payout, user=request.user)
    return pdf_response(content, f"statement-{payout.pk}.pdf")


# --- Statement queries (billing.disputes): before payday, the agent's own only -------------


@agent_profile_required
def statement_query(request, pk: int):
    payout = _own_payout(request, pk)
    if request.method == "GET" and payout.status == Payout.Status.PAID:
        # Queries close on payday: no form to fill in vain (a POST still gets the refusal).
        messages.info(request, "This statement is paid: queries close on payday.")
        return redirect("earnings:statement", pk=payout.pk)
    lines = payout_transactions(payout=payout).order_by("occurred_at", "pk")
    if request.method == "POST":
        form = DisputeOpenForm(request.POST, lines=lines)
        if form.is_valid():
            line = form.cleaned_data["line"]
            with errors_to_form(form):
                dispute = dispute_open(
                    actor=request.user,
                    payout_id=payout.pk,
                    transaction_id=line.pk if line else None,
                    body=form.cleaned_data["body"],
                )
                messages.success(request, "Your query is sent to finance.")
                url = reverse("earnings:statement", args=[payout.pk])
                return redirect(f"{url}#query-{dispute.pk}")
        status = 400
    else:
        line = request.GET.get("line", "")
        form = DisputeOpenForm(initial={"line": line if line.isdigit() else None}, lines=lines)
        status = 200
    context = {"payout": payout, "form": form}
    return render(request, "billing/agent/statement_query.html", context, status=status)


def _reply_refused(request, error: ApplicationError, pk: int) -> HttpResponse:
    messages.error(request, error.message)
    dispute = get_object_or_404(Dispute, pk=pk, payout__agent=request.agent)
    url = reverse("earnings:statement", args=[dispute.payout_id])
    return redirect(f"{url}#query-{pk}")


@agent_profile_required
@require_POST
@errors_to_message(_reply_refused)
def dispute_reply(request, pk: int):
    # Only the agent's own queries: another agent's is a 404.
    dispute = get_object_or_404(Dispute, pk=pk, payout__agent=request.agent)
    form = DisputeReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("body", ["Write your message."])))
    else:
        dispute_follow_up(actor=request.user, dispute_id=dispute.pk, **form.cleaned_data)
        messages.success(request, "Your message is sent to finance.")
    url = reverse("earnings:statement", args=[dispute.payout_id])
    return redirect(f"{url}#query-{dispute.pk}")
