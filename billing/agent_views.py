"""The agent's earnings: this period so far, past statements, a printable statement."""

import datetime as dt

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from agents.decorators import agent_profile_required
from billing.invoicing import statement_pdf_downloaded
from billing.pdfs import pdf_response, statement_pdf
from billing.selectors import (
    agent_earnings_open,
    agent_statements,
    payout_adjustments,
    payout_transactions,
)
from billing.tds import tds_summary, year_of
from common.keyset import Keyset

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


@agent_profile_required
def statement(request, pk: int):
    # Only the agent's own payouts: another agent's statement is a 404.
    payouts = agent_statements(agent=request.agent).select_related("agent")
    payout = get_object_or_404(payouts, pk=pk)
    return render(
        request,
        "billing/agent/statement.html",
        {
            "payout": payout,
            "transactions": payout_transactions(payout=payout),
            "adjustments": payout_adjustments(payout=payout),
            "last_day": payout.run.period_end - dt.timedelta(days=1),  # the end is exclusive
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
