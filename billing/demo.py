"""Demo billing: a fee plan for the complete-BPO bank, every ended period settled, and two
statement queries (one open, one answered).

The call simulator moves calls into the past after they were answered, so their ledger rows
are re-dated to their calls here (demo data only: a real ledger row is never edited).
"""

from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts.models import User
from billing.disputes import dispute_answer, dispute_open
from billing.models import Dispute, FixedFeePlan, Payout, SettlementRun, Transaction
from billing.periods import period_end, period_start
from billing.selectors import payout_transactions
from billing.settlement import run_claim, run_execute, run_open
from clients.models import ClientFirm
from routing.models import Call

Kind = SettlementRun.Kind


def _redate_demo_ledger() -> None:
    if SettlementRun.objects.exists():
        return  # settled already: leave the ledger as it is
    # _base_manager: the plain manager, past the ledger's append-only guard (demo data only).
    rows = Transaction._base_manager
    ended = Call.objects.filter(pk=OuterRef("call_id")).values("ended_at")
    rows.update(occurred_at=Subquery(ended))
    for t in rows.only("pk", "occurred_at"):
        day = timezone.localdate(t.occurred_at)
        rows.filter(pk=t.pk).update(
            agent_period=period_start(Kind.AGENTS, day), firm_period=period_start(Kind.FIRMS, day)
        )


def seed_demo() -> list[tuple[str, str]]:
    kaveri = ClientFirm.objects.filter(name="Kaveri Bank Services").first()
    if kaveri:
        FixedFeePlan.objects.get_or_create(
            firm=kaveri,
            defaults={
                "fee": Decimal("150000.00"),
                "included_calls": 2000,
                "overage_per_call": Decimal("40.00"),
                "currency": "INR",
            },
        )
    _redate_demo_ledger()
    today = timezone.localdate()
    for kind, field in ((Kind.AGENTS, "agent_period"), (Kind.FIRMS, "firm_period")):
        periods = Transaction.objects.values_list(field, flat=True).distinct()
        for start in sorted(set(periods)):
            if period_end(kind, start) <= today:
                run = run_open(kind=kind, day=start)
                run_claim(run_id=run.pk)
                run_execute(run_id=run.pk)
    _demo_disputes()
    return []


def _demo_disputes() -> None:
    """One open and one answered statement query on the latest unpaid demo statement with
    calls, through the services (audited as in real use). Once: skipped when any exists."""
    if Dispute.objects.exists():
        return
    finance = User.objects.filter(email="finance@homeshore.example").first()
    payout = (
        Payout.objects.exclude(status=Payout.Status.PAID)
        .filter(calls__gt=0, agent__user__role=User.Role.AGENT)
        .select_related("agent__user")
        .order_by("-run__period_start", "agent_id")
        .first()
    )
    if finance is None or payout is None:
        return
    agent = payout.agent.user
    line = payout_transactions(payout=payout).order_by("occurred_at", "pk").first()
    dispute_open(
        actor=agent,
        payout_id=payout.pk,
        transaction_id=line.pk if line else None,
        body="I think this call was paid at the wrong rate: please check it.",
    )
    if line is None:
        return
    asked = dispute_open(actor=agent, payout_id=payout.pk, body="Why was TDS withheld this week?")
    dispute_answer(
        actor=finance,
        dispute_id=asked.pk,
        body="TDS is withheld at the rate on your profile, as the Income Tax Act asks; "
        "the quarterly summary shows it for your return.",
    )
