"""Demo billing: a fee plan for the complete-BPO bank, the demo calls' ledger, and every ended
period settled, with finance's work on it begun — on the first seed.

The call simulator runs each call now, through the real webhooks, and lays it out in the past
after (routing.simulation, `simulate_calls --days`). A ledger row written as the call
ended would be dated now, and a row is never edited. So while the demo's calls are simulated
the ledger waits (`ledger_held`), and here each completed call gets its one transaction, by
the ledger's own service, once it has its date: dated by its end, in that day's periods,
priced from the engagement's rate card.
"""

import contextlib
from collections.abc import Iterator
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from billing.disputes import dispute_answer, dispute_open
from billing.ledger import transaction_record, transaction_record_attempt
from billing.models import Dispute, FixedFeePlan, Invoice, Payout, SettlementRun, Transaction
from billing.payouts import invoice_mark_paid, payout_approve, payout_mark_paid
from billing.periods import period_end
from billing.receivers import record_attempt_transaction, record_transaction
from billing.selectors import payout_transactions
from billing.settlement import run_claim, run_execute, run_open
from campaigns.models import Attempt
from campaigns.signals import attempt_ended
from clients.models import ClientFirm
from routing.models import Call
from routing.signals import call_completed

Kind = SettlementRun.Kind
Status = SettlementRun.Status


@contextlib.contextmanager
def ledger_held() -> Iterator[None]:
    """Completed calls and ended outbound attempts get no ledger row while inside (seed_demo's
    simulated calls, which are dated after they end); `seed_demo` below writes them. Demo
    only: nothing else holds it."""
    call_completed.disconnect(record_transaction)
    attempt_ended.disconnect(record_attempt_transaction)
    try:
        yield
    finally:
        call_completed.connect(record_transaction)
        attempt_ended.connect(record_attempt_transaction)


def _fee_plan() -> None:
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


def _ledger_for_demo_calls() -> int:
    """One transaction per completed call that has none, oldest first (none on a re-seed)."""
    unbilled = Call.objects.filter(
        status=Call.Status.COMPLETED,
        direction=Call.Direction.INBOUND,  # outbound calls are billed by their attempts below
        transaction__isnull=True,
        agent__isnull=False,
    ).select_related("engagement", "line")
    written = 0
    for call in unbilled.order_by("ended_at", "pk"):
        written += transaction_record(call=call) is not None
    # The campaigns' placed attempts, on their engagements' outbound rates (an unanswered
    # one billed per connect or per minute writes nothing, and is simply tried again).
    attempts = Attempt.objects.filter(
        status=Attempt.Status.ENDED, call__isnull=False, call__transaction__isnull=True
    )
    for attempt in attempts.order_by("ended_at", "pk"):
        written += transaction_record_attempt(attempt=attempt) is not None
    return written


def _settle_ended_periods(finance: User | None) -> list[SettlementRun]:
    """A run for every ended period with ledger rows, claimed and executed in-process (the
    services a worker calls). Returns the runs this seed settled: none on a re-seed."""
    today = timezone.localdate()
    settled = []
    for kind, field in ((Kind.AGENTS, "agent_period"), (Kind.FIRMS, "firm_period")):
        periods = Transaction.objects.values_list(field, flat=True).distinct()
        for start in sorted(set(periods)):
            if period_end(kind, start) > today:
                continue  # still open: its calls show as this period's earnings
            run = run_open(kind=kind, day=start, user=finance)
            if run.status == Status.DONE:
                continue
            run_claim(run_id=run.pk, holder="seed_demo")
            settled.append(run_execute(run_id=run.pk))
    return settled


def _finance_at_work(finance: User, settled: list[SettlementRun]) -> None:
    """Of the weeks settled now: the oldest paid, the latest left in draft for finance to
    review, those between approved; of the months, the first firm's invoice of the oldest paid
    (the others stay issued)."""
    weeks = sorted((r for r in settled if r.kind == Kind.AGENTS), key=lambda r: r.period_start)
    if len(weeks) >= 2:
        for run in weeks[:-1]:
            ids = Payout.objects.filter(run=run).values_list("pk", flat=True)
            payout_approve(actor=finance, payout_ids=list(ids))
        for payout in Payout.objects.filter(run=weeks[0], status=Payout.Status.APPROVED):
            payout_mark_paid(actor=finance, payout_id=payout.pk)
    months = sorted((r for r in settled if r.kind == Kind.FIRMS), key=lambda r: r.period_start)
    if months:
        oldest = Invoice.objects.filter(run=months[0]).order_by("firm__name", "pk").first()
        if oldest is not None:
            invoice_mark_paid(actor=finance, invoice_id=oldest.pk)


def seed_demo() -> list[tuple[str, str]]:
    _fee_plan()
    _ledger_for_demo_calls()
    finance = User.objects.filter(role=User.Role.FINANCE).order_by("pk").first()
    settled = _settle_ended_periods(finance)
    if finance is not None:
        _finance_at_work(finance, settled)
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
