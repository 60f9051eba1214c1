"""The agent's earnings: this period so far, past statements, a printable statement."""

import datetime as dt

from django.shortcuts import get_object_or_404, render

from accounts.decorators import agent_required
from agents.selectors import agent_profile_get
from billing.selectors import (
    agent_earnings_open,
    agent_statements,
    payout_adjustments,
    payout_transactions,
)


@agent_required
def earnings(request):
    agent = agent_profile_get(user=request.user)
    return render(
        request,
        "billing/agent/earnings.html",
        {
            "open": agent_earnings_open(agent=agent) if agent else None,
            "statements": agent_statements(agent=agent) if agent else [],
        },
    )


@agent_required
def statement(request, pk: int):
    # Only the agent's own payouts: another agent's statement is a 404.
    payouts = agent_statements(agent=agent_profile_get(user=request.user)).select_related("agent")
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
