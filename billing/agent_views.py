"""The agent's earnings: this period so far, past statements, a printable statement."""

import datetime as dt

from django.shortcuts import get_object_or_404, render

from agents.decorators import agent_profile_required
from billing.selectors import (
    agent_earnings_open,
    agent_statements,
    payout_adjustments,
    payout_transactions,
)


@agent_profile_required
def earnings(request):
    return render(
        request,
        "billing/agent/earnings.html",
        {
            "open": agent_earnings_open(agent=request.agent),
            "statements": agent_statements(agent=request.agent),
        },
    )


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
