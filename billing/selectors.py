"""Reads for billing pages. Agent- and firm-facing reads always take the agent or the firm."""

import datetime as dt

from django.db.models import Count, Min, Prefetch, QuerySet, Sum
from django.utils import timezone

from agents.models import AgentProfile
from billing.models import (
    Adjustment,
    Dispute,
    DisputeMessage,
    Invoice,
    Payout,
    SettlementRun,
    Transaction,
)
from billing.periods import open_period, period_end, period_start
from clients.models import ClientFirm

Kind = SettlementRun.Kind
# An outbound row's campaign, for the pages that name it (Transaction.activity_label): the
# call's attempt, joined in the same query (an inbound call has none: a LEFT JOIN's nulls);
# an email row's queue or campaign likewise (Transaction.place_label).
OUTBOUND_CAMPAIGN = (
    "call__attempt__campaign",
    "conversation__queue",
    "campaign_email__campaign",
)


def payout_transactions(*, payout: Payout) -> QuerySet[Transaction]:
    """The transactions a payout settled: the agent's rows of the run's period."""
    return Transaction.objects.filter(
        agent_id=payout.agent_id, currency=payout.currency, agent_period=payout.run.period_start
    ).select_related("firm", "call__line", *OUTBOUND_CAMPAIGN)


def payout_adjustments(*, payout: Payout) -> QuerySet[Adjustment]:
    return Adjustment.objects.filter(
        agent_id=payout.agent_id, currency=payout.currency, period=payout.run.period_start
    )


def invoice_adjustments(*, invoice: Invoice) -> QuerySet[Adjustment]:
    return Adjustment.objects.filter(
        firm_id=invoice.firm_id, currency=invoice.currency, period=invoice.run.period_start
    )


def invoice_transactions(*, invoice: Invoice) -> QuerySet[Transaction]:
    return Transaction.objects.filter(
        firm_id=invoice.firm_id, currency=invoice.currency, firm_period=invoice.run.period_start
    ).select_related("agent", "call__line", *OUTBOUND_CAMPAIGN)


def agent_earnings_open(*, agent: AgentProfile) -> dict:
    """Earnings not yet settled: the agent's rows of every period no finished run covers
    (the open period, and an ended one whose run has not happened yet), totalled per currency
    (no sum across currencies: rupees and dollars do not add up; pages show each total).
    """
    settled = SettlementRun.objects.filter(kind=Kind.AGENTS, status=SettlementRun.Status.DONE)
    rows = Transaction.objects.filter(agent=agent)
    floor = _first_unsettled_period()
    if floor is not None:
        # Bounded below: without it both the page and the totals read every row the agent
        # ever earned (a busy agent's page took 31 ms at 10k of their rows, 14 ms at 100).
        rows = rows.filter(agent_period__gte=floor)
    rows = (
        rows.exclude(agent_period__in=settled.values("period_start"))
        .select_related("firm", "call", *OUTBOUND_CAMPAIGN)
        .order_by("-occurred_at")
    )
    totals = list(
        rows.order_by()
        .values("currency")
        .annotate(amount=Sum("agent_amount"), calls=Count("id"), first=Min("agent_period"))
    )
    period = open_period(Kind.AGENTS, timezone.localdate())
    return {
        "period": period,
        # What the page calls "this period": from the first unsettled row's period (an ended
        # period not yet run is still here) to the end of the open one.
        "since": min([t["first"] for t in totals] + [period]),
        "period_end": period_end(Kind.AGENTS, period),
        "transactions": rows,
        "totals": totals,
        "calls": sum(t["calls"] for t in totals),
    }


def _first_unsettled_period() -> dt.date | None:
    """The first agents' period, from the ledger's first, that no finished run covers: every
    row of an earlier period is settled (walked on the period grid, one period at a time)."""
    first = (
        Transaction.objects.order_by("agent_period").values_list("agent_period", flat=True).first()
    )
    if first is None:
        return None
    done = set(
        SettlementRun.objects.filter(
            kind=Kind.AGENTS, status=SettlementRun.Status.DONE, period_start__gte=first
        ).values_list("period_start", flat=True)
    )
    start = first
    while start in done:
        start = period_end(Kind.AGENTS, start)
    return start


def agent_statements(*, agent: AgentProfile) -> QuerySet[Payout]:
    return Payout.objects.filter(agent=agent).select_related("run").order_by("-run__period_start")


def firm_invoices(*, firm: ClientFirm) -> QuerySet[Invoice]:
    return Invoice.objects.filter(firm=firm).select_related("run").order_by("-run__period_start")


def run_transactions(*, run: SettlementRun) -> QuerySet[Transaction]:
    """The ledger rows of the run's period (of its kind)."""
    if run.kind == SettlementRun.Kind.AGENTS:
        return Transaction.objects.filter(agent_period=run.period_start)
    return Transaction.objects.filter(firm_period=run.period_start)


def payouts_all() -> QuerySet[Payout]:
    """Finance's payouts, newest run first, with what each row names."""
    return Payout.objects.select_related("agent", "run").order_by("-run", "pk")


def invoices_all() -> QuerySet[Invoice]:
    """Finance's invoices, newest run first, with what each row names."""
    return Invoice.objects.select_related("firm", "run").order_by("-run", "pk")


def runs() -> QuerySet[SettlementRun]:
    """Finance's runs, latest period first. (No payout or invoice counts: joining them read
    every payout of every run listed, growing with the ledger; a run's own page counts.)"""
    return SettlementRun.objects.order_by("-period_start", "kind")


def fee_plan_applies_from(*, today: dt.date | None = None) -> dt.date:
    """The first firms' period not yet invoiced: the one a plan changed now applies from.

    The earliest firms' run not done (queued, running, failed: it reads the plan when it
    executes); else the period after the last run done (the next one `runs_due` opens); else,
    with no run yet, the period `runs_due` would open first (the one of yesterday)."""
    runs = SettlementRun.objects.filter(kind=Kind.FIRMS)
    waiting = (
        runs.exclude(status=SettlementRun.Status.DONE)
        .order_by("period_start")
        .values_list("period_start", flat=True)
        .first()
    )
    if waiting is not None:
        return waiting
    last = runs.order_by("-period_start").values_list("period_end", flat=True).first()
    if last is not None:
        return last
    today = today or timezone.localdate()
    return period_start(Kind.FIRMS, today - dt.timedelta(days=1))


def complete_bpo_firms() -> QuerySet[ClientFirm]:
    """Finance's plan page: every complete-BPO firm, by name, with its plan if it has one."""
    return (
        ClientFirm.objects.filter(engagement_type=ClientFirm.EngagementType.COMPLETE)
        .select_related("fee_plan")
        .order_by("name", "pk")
    )


def payout_disputes(*, payout: Payout) -> QuerySet[Dispute]:
    """The queries on one statement with their threads, newest first: for the agent's
    statement (already the agent's own) and finance's payout page."""
    return (
        Dispute.objects.filter(payout=payout)
        .select_related(
            "transaction__firm",
            "transaction__call__line",
            "transaction__conversation__queue",
        )
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=DisputeMessage.objects.select_related("author", "adjustment"),
            )
        )
        .order_by("-updated_at", "-pk")
    )


def disputes_all(*, status: str = "") -> QuerySet[Dispute]:
    """Finance's list of queries (one status, or all), with what each row names."""
    rows = Dispute.objects.select_related("payout__agent", "payout__run", "transaction")
    return rows.filter(status=status) if status else rows
