"""Settlement under real concurrency on PostgreSQL: claimed once, settled once, nothing lost.

Each test builds a few hundred ledger rows in one past period with bulk INSERTs, computes the
expected payouts / invoices in Python with Decimal (the reference), and compares every row the
run writes with it. Threads have their own connections (closed when they end).

To make an interleaving certain rather than likely, a test takes a table lock from a third,
raw connection (`table_locked`) and waits until PostgreSQL itself reports who is waiting on
whom (`pg_blocking_pids`) before it lets go: the assertions then describe that interleaving.
"""

import datetime as dt
import itertools
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import psycopg2
import pytest
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from agents.models import AgentProfile
from billing.ledger import transaction_record
from billing.models import (
    Adjustment,
    FixedFeePlan,
    Invoice,
    InvoiceLine,
    Payout,
    SettlementLock,
    SettlementRun,
    Transaction,
)
from billing.periods import period_end, period_start, periods_lock_shared
from billing.settlement import LeaseHeld, run_claim, run_execute, run_open
from clients.models import Application, ClientFirm, Engagement
from common.models import AuditRecord
from routing.models import Call
from tests.factories import ClientFirmFactory, PhoneLineFactory, StaffingRequestFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

Kind = SettlementRun.Kind
CENT = Decimal("0.01")
TDS_RATES = [Decimal(r) for r in ("10", "7.5", "0", "1.25", "20", "5")]


# --- The ledger: built with bulk INSERTs ------------------------------------------------


@dataclass
class Ledger:
    day: dt.date  # a day of the settled period (agents: its week; firms: its month)
    agents: list[AgentProfile]
    # "inr", "usd" (partial), "fixed" (complete, with a plan), "complete" (without one)
    firms: dict[str, ClientFirm]
    engagements: list[Engagement]
    lines: dict[int, object]  # firm id -> its phone line
    transactions: int = 0
    calls: Iterator[int] = field(default_factory=itertools.count)  # provider call ids

    @property
    def week(self) -> dt.date:
        return period_start(Kind.AGENTS, self.day)

    @property
    def month(self) -> dt.date:
        return period_start(Kind.FIRMS, self.day)


def settled_day() -> dt.date:
    """The 15th of last month: its week and the week after it have ended, and so has its
    month, so agents' and firms' runs can both be opened (and the next agents' run too)."""
    first = timezone.localdate().replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=15)


def at_noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def ledger_seed(*, transactions: int = 360, agents: int = 24, seed: int = 7) -> Ledger:
    """Agents (TDS 0-20%), two partial firms (INR, USD), a complete firm with a fixed-fee plan
    and one without, and `transactions` ledger rows over the agents' engagements in one past
    week, with a few adjustments."""
    rng = random.Random(seed)
    day = settled_day()
    users = User.objects.bulk_create(
        User(email=f"settle{n}@agents.example", name=f"Agent {n}", password="!")
        for n in range(agents)
    )
    profiles = AgentProfile.objects.bulk_create(
        AgentProfile(user=u, full_name=u.name, tds_rate=TDS_RATES[n % len(TDS_RATES)])
        for n, u in enumerate(users)
    )
    firms = {
        "inr": ClientFirmFactory(engagement_type="partial", currency="INR"),
        "usd": ClientFirmFactory(engagement_type="partial", currency="USD"),
        "fixed": ClientFirmFactory(engagement_type="complete", currency="INR"),
        "complete": ClientFirmFactory(engagement_type="complete", currency="INR"),  # no plan
    }
    FixedFeePlan.objects.create(
        firm=firms["fixed"],
        fee=Decimal("50000.00"),
        included_calls=40,
        overage_per_call=Decimal("12.50"),
        currency="INR",
    )
    lines = {f.pk: PhoneLineFactory(firm=f) for f in firms.values()}
    requests = [
        StaffingRequestFactory(firm=firms["inr"], currency="INR", headcount=50),
        StaffingRequestFactory(firm=firms["inr"], currency="INR", headcount=50),  # 2 requests
        StaffingRequestFactory(firm=firms["usd"], currency="USD", headcount=50),
        StaffingRequestFactory(firm=firms["fixed"], currency="INR", headcount=50),
        StaffingRequestFactory(firm=firms["complete"], currency="INR", headcount=50),
    ]
    # Every agent but the last works on one or more requests; the last has no call at all.
    pairs = [
        (r, a)
        for n, a in enumerate(profiles[:-1])
        for k, r in enumerate(requests)
        if k == n % len(requests) or rng.random() < 0.5
    ]
    applications = Application.objects.bulk_create(
        Application(request=r, agent=a, status="approved") for r, a in pairs
    )
    engagements = Engagement.objects.bulk_create(
        Engagement(
            firm=app.request.firm,
            agent=app.agent,
            request=app.request,
            application=app,
            rate_unit="call",
            client_rate=Decimal("40.00"),
            agent_rate=Decimal("28.00"),
            minimum_per_call=0,
            agent_minimum_per_call=0,
            currency=app.request.currency,
            starts_on=day - dt.timedelta(days=60),
            ends_on=timezone.localdate() + dt.timedelta(days=60),
        )
        for app in applications
    )
    ledger = Ledger(day=day, agents=profiles, firms=firms, engagements=engagements, lines=lines)
    ledger_add(ledger, transactions, rng=rng)
    actor = User.objects.create(email="fiona@settle.example", password="!")
    week, month = ledger.week, ledger.month
    Adjustment.objects.bulk_create(
        [
            Adjustment(
                agent=profiles[0],
                currency="INR",
                amount=Decimal("150.00"),
                reason="bonus",
                actor=actor,
                period=week,
            ),
            Adjustment(
                agent=profiles[1],
                currency="INR",
                amount=Decimal("-20.55"),
                reason="chargeback",
                actor=actor,
                period=week,
            ),
            # An agent with no call at all this week: a negative payout, no tax withheld.
            Adjustment(
                agent=profiles[-1],
                currency="INR",
                amount=Decimal("-30.00"),
                reason="overpaid",
                actor=actor,
                period=week,
            ),
            Adjustment(
                firm=firms["inr"],
                currency="INR",
                amount=Decimal("500.00"),
                reason="setup",
                actor=actor,
                period=month,
            ),
            Adjustment(
                firm=firms["fixed"],
                currency="INR",
                amount=Decimal("-250.00"),
                reason="credit",
                actor=actor,
                period=month,
            ),
        ]
    )
    return ledger


def ledger_add(ledger: Ledger, count: int, *, rng: random.Random) -> None:
    """`count` more answered calls and their transactions, dated in the ledger's week."""
    week = ledger.week
    ends = [at_noon(week + dt.timedelta(days=rng.randrange(7))) for _ in range(count)]
    chosen = [rng.choice(ledger.engagements) for _ in range(count)]
    calls = Call.objects.bulk_create(
        Call(
            provider="settle",
            provider_call_id=f"S{next(ledger.calls)}",
            line=ledger.lines[e.firm_id],
            firm_id=e.firm_id,
            agent_id=e.agent_id,
            domain="insurance",
            status=Call.Status.COMPLETED,
            answered_at=end,
            ended_at=end,
            talk_seconds=rng.randrange(20, 600),
        )
        for e, end in zip(chosen, ends, strict=True)
    )
    rows = []
    for call, e, end in zip(calls, chosen, ends, strict=True):
        agent_amount = Decimal(rng.randrange(100, 9999)) / 100
        client_amount = agent_amount + Decimal(rng.randrange(0, 2500)) / 100
        rows.append(
            Transaction(
                call=call,
                engagement=e,
                agent_id=e.agent_id,
                firm_id=e.firm_id,
                currency=e.currency,
                units=1,
                agent_amount=agent_amount,
                client_amount=client_amount,
                rate_card={"unit": "call"},
                occurred_at=end,
                agent_period=period_start(Kind.AGENTS, timezone.localdate(end)),
                firm_period=period_start(Kind.FIRMS, timezone.localdate(end)),
            )
        )
    Transaction.objects.bulk_create(rows)
    ledger.transactions += count


@pytest.fixture
def locks(db):
    """The lock rows (migration 0002 creates them; a transactional test's flush empties the
    table, and FOR SHARE over an empty table locks nothing)."""
    for kind in Kind.values:
        SettlementLock.objects.get_or_create(kind=kind)


# --- The reference: what the run must write, computed in Python --------------------------


def cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value(ROUND_HALF_UP))


def payouts_expected(period: dt.date) -> set[tuple]:
    """(agent, currency, gross, tds_rate, tds, net) of every payout of the agents' period."""
    gross: dict[tuple[int, str], int] = defaultdict(int)
    for agent, currency, amount in Transaction.objects.filter(agent_period=period).values_list(
        "agent_id", "currency", "agent_amount"
    ):
        gross[agent, currency] += cents(amount)
    for agent, currency, amount in Adjustment.objects.filter(
        period=period, agent__isnull=False
    ).values_list("agent_id", "currency", "amount"):
        gross[agent, currency] += cents(amount)
    rates = dict(AgentProfile.objects.values_list("id", "tds_rate"))
    rows = set()
    for (agent, currency), g in gross.items():
        rate_bp = cents(rates[agent])  # percent with two decimals -> basis points
        tds = (g * rate_bp + 5000) // 10000 if g > 0 else 0  # half up, as the SQL does
        rows.add(
            (
                agent,
                currency,
                Decimal(g) / 100,
                rates[agent],
                Decimal(tds) / 100,
                Decimal(g - tds) / 100,
            )
        )
    return rows


def payouts_actual(run: SettlementRun) -> set[tuple]:
    rows = Payout.objects.filter(run=run).values_list(
        "agent_id", "currency", "gross", "tds_rate", "tds", "net"
    )
    listed = list(rows)
    assert len(listed) == len(set(listed))
    return set(listed)


def invoices_expected(period: dt.date) -> tuple[set[tuple], set[tuple]]:
    """Invoices (firm, kind, currency, total) and their lines (firm, request, description,
    quantity, units, amount) of the firms' period."""
    plans = {p.firm_id: p for p in FixedFeePlan.objects.all()}
    # Per activity: partial firms, and complete firms without a fixed-fee plan.
    per_activity = {f.pk for f in ClientFirm.objects.all() if f.is_partial or f.pk not in plans}
    activity: dict[tuple, int] = defaultdict(int)
    handled: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    calls: dict[int, int] = defaultdict(int)
    for firm, currency, request, units, amount in Transaction.objects.filter(
        firm_period=period
    ).values_list("firm_id", "currency", "engagement__request_id", "units", "client_amount"):
        calls[firm] += 1
        if firm in per_activity:
            activity[firm, currency] += cents(amount)
            line = handled[firm, currency, request]
            line[0], line[1], line[2] = line[0] + 1, line[1] + units, line[2] + cents(amount)
    adjusted: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for firm, currency, amount in Adjustment.objects.filter(
        period=period, firm__isnull=False
    ).values_list("firm_id", "currency", "amount"):
        adjusted[firm, currency][0] += 1
        adjusted[firm, currency][1] += cents(amount)
        if firm in per_activity:
            activity[firm, currency] += cents(amount)
    invoices = {(f, "activity", c, Decimal(t) / 100) for (f, c), t in activity.items()}
    lines = {
        (f, r, "Handled calls", n, u, Decimal(a) / 100) for (f, _, r), (n, u, a) in handled.items()
    }
    for firm, plan in plans.items():
        if firm in per_activity:
            continue
        over = max(0, calls[firm] - plan.included_calls) if plan.included_calls is not None else 0
        extra = adjusted[firm, plan.currency][1]
        invoices.add(
            (
                firm,
                "fixed",
                plan.currency,
                plan.fee + over * plan.overage_per_call + Decimal(extra) / 100,
            )
        )
        lines.add((firm, None, "Fixed fee for the period", 1, calls[firm], plan.fee))
        if over:
            lines.add(
                (
                    firm,
                    None,
                    "Calls beyond the included volume",
                    over,
                    over,
                    over * plan.overage_per_call,
                )
            )
    billed = {(f, c) for f, _, c, _ in invoices}  # an adjustment is a line of its currency's
    for (firm, currency), (count, amount) in adjusted.items():
        if (firm, currency) in billed:
            lines.add((firm, None, "Adjustments", count, 0, Decimal(amount) / 100))
    return invoices, lines


def invoices_actual(run: SettlementRun) -> tuple[set[tuple], set[tuple]]:
    invoices = list(
        Invoice.objects.filter(run=run).values_list("firm_id", "kind", "currency", "total")
    )
    lines = list(
        InvoiceLine.objects.filter(invoice__run=run).values_list(
            "invoice__firm_id", "request_id", "description", "quantity", "units", "amount"
        )
    )
    assert len(invoices) == len(set(invoices)) and len(lines) == len(set(lines))
    return set(invoices), set(lines)


def settled(run: SettlementRun):
    """What the run wrote, comparable with `expected(run)`."""
    return payouts_actual(run) if run.kind == Kind.AGENTS else invoices_actual(run)


def expected(run: SettlementRun):
    if run.kind == Kind.AGENTS:
        return payouts_expected(run.period_start)
    return invoices_expected(run.period_start)


def expected_total(run: SettlementRun) -> Decimal:
    if run.kind == Kind.AGENTS:
        return sum((row[2] for row in payouts_expected(run.period_start)), Decimal(0))
    return sum((row[3] for row in invoices_expected(run.period_start)[0]), Decimal(0))


def expected_transactions(run: SettlementRun) -> int:
    column = "agent_period" if run.kind == Kind.AGENTS else "firm_period"
    return Transaction.objects.filter(**{column: run.period_start}).count()


def settle(run_id: int) -> SettlementRun:
    run_claim(run_id=run_id)
    return run_execute(run_id=run_id)


# --- Watching PostgreSQL's lock queue ---------------------------------------------------


def raw_connection():
    """A connection of our own to the test database, outside Django's bookkeeping."""
    s = connection.settings_dict
    params = {
        "dbname": s["NAME"],
        "user": s["USER"],
        "password": s["PASSWORD"],
        "host": s["HOST"],
        "port": s["PORT"],
    }
    return psycopg2.connect(**{k: v for k, v in params.items() if v})


@contextmanager
def table_locked(table: str) -> Iterator[int]:
    """Hold `LOCK TABLE … IN EXCLUSIVE MODE` (reads pass, INSERTs wait) until the block ends;
    yields the holder's backend pid."""
    conn = raw_connection()
    try:
        with conn.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
            cursor.execute("SELECT pg_backend_pid()")
            yield cursor.fetchone()[0]
    finally:
        conn.rollback()
        conn.close()


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def waiting_on(pid: int) -> list[int]:
    """The backends of this database waiting for a lock that `pid` holds (asked from the
    test thread's own autocommit connection: each query sees fresh activity)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND %s = ANY(pg_blocking_pids(pid)) ORDER BY pid",
            [pid],
        )
        return [row[0] for row in cursor.fetchall()]


def alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None


def wait_until(predicate: Callable[[], object], *, what: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting until {what}")


def chain_under(holder: int) -> tuple[int, int] | None:
    """(first, second) when `first` waits on `holder` and `second` waits on `first`."""
    for first in waiting_on(holder):
        for second in waiting_on(first):
            return first, second
    return None


def in_thread(pool: ThreadPoolExecutor, job: Callable[[], object]):
    def run():
        try:
            return job()
        finally:
            connection.close()  # this thread's own connection

    return pool.submit(run)


# --- (a) Two workers settle the same run at the same time ---------------------------------


@pytest.mark.parametrize("kind", [Kind.AGENTS, Kind.FIRMS])
def test_two_threads_executing_one_run_at_once_write_one_set_of_rows(locks, kind):
    """Behind the lease (one claim wins, below), the run-row lock: were two executions ever
    under way at once (a worker past its lease, a task redelivered while its first delivery
    still runs), the second waits for the first and finds the run done."""
    ledger = ledger_seed()
    run = run_open(kind=kind, day=ledger.day)
    run_claim(run_id=run.pk, holder="first", task_id="t-1")
    reference = expected(run)
    table = "billing_payout" if kind == Kind.AGENTS else "billing_invoice"
    barrier = threading.Barrier(2)

    def worker():
        barrier.wait(timeout=30)
        return run_execute(run_id=run.pk)

    with ThreadPoolExecutor(max_workers=2) as pool, table_locked(table) as holder:
        futures = [in_thread(pool, worker) for _ in range(2)]
        # Wait for the worst interleaving, as PostgreSQL sees it: one thread is inside
        # run_execute (run row locked, its INSERT waiting on our table lock) while the other
        # waits on that run row. Only then let go.
        wait_until(lambda: chain_under(holder), what="one thread waits on the other")
        assert not any(f.done() for f in futures)
    runs = [f.result(timeout=60) for f in futures]

    assert [r.status for r in runs] == ["done", "done"]
    assert runs[0].total == runs[1].total == expected_total(run)
    assert runs[0].transactions == runs[1].transactions == expected_transactions(run)
    assert settled(run) == reference  # every row as the Decimal reference has it, once
    assert AuditRecord.objects.about(run).filter(action="run_done").count() == 1
    stored = SettlementRun.objects.get(pk=run.pk)
    assert (stored.status, stored.total, stored.progress) == ("done", expected_total(run), 100)
    assert stored.attempts == 1


@contextmanager
def row_locked(run: SettlementRun) -> Iterator[int]:
    """Hold the run's row FOR UPDATE from a connection of our own; yields its backend pid."""
    conn = raw_connection()
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM billing_settlementrun WHERE id = %s FOR UPDATE", [run.pk])
            cursor.execute("SELECT pg_backend_pid()")
            yield cursor.fetchone()[0]
    finally:
        conn.rollback()
        conn.close()


def queued_on(holder: int) -> set[int]:
    """Backends waiting on `holder`, directly or behind one that does (a second UPDATE of
    a row waits on the first waiter's tuple lock)."""
    first = waiting_on(holder)
    return set(first) | {pid for f in first for pid in waiting_on(f)}


def test_two_workers_claiming_one_run_at_once_get_one_lease(locks):
    """The claim is a compare-and-set: both UPDATEs queue on the run row (held by us until
    PostgreSQL shows both waiting); the first takes the lease, the second re-checks its
    WHERE on the committed row, matches nothing and is refused."""
    ledger = ledger_seed(transactions=30)
    run = run_open(kind=Kind.AGENTS, day=ledger.day)
    barrier = threading.Barrier(2)

    def claimer(n: int):
        barrier.wait(timeout=30)
        try:
            return run_claim(run_id=run.pk, holder=f"worker {n}", task_id=f"t-{n}")
        except LeaseHeld as held:
            return held

    with ThreadPoolExecutor(max_workers=2) as pool, row_locked(run) as holder:
        futures = [in_thread(pool, lambda n=n: claimer(n)) for n in (1, 2)]
        wait_until(lambda: len(queued_on(holder)) == 2, what="both claims wait on the row")
    outcomes = [f.result(timeout=30) for f in futures]

    [won] = [o for o in outcomes if isinstance(o, SettlementRun)]
    [refused] = [o for o in outcomes if isinstance(o, LeaseHeld)]
    assert f"{won.lease_holder} holds this run's lease" in refused.message
    stored = SettlementRun.objects.get(pk=run.pk)
    assert (stored.lease_holder, stored.task_id, stored.attempts) == (
        won.lease_holder,
        won.task_id,
        1,
    )


def test_the_reference_is_not_trivial(locks):
    """Guards the tests above: the data exercises tax rounding, several currencies, negative
    and adjusted payouts, two requests on one invoice, fixed fees with overage."""
    ledger = ledger_seed()
    payouts = payouts_expected(ledger.week)
    assert {row[0] for row in payouts} == {a.pk for a in ledger.agents}
    assert {row[1] for row in payouts} == {"INR", "USD"}
    assert any(row[2] < 0 and row[4] == 0 for row in payouts)  # negative gross, no tax
    assert len({row[3] for row in payouts}) == len(TDS_RATES)
    assert any(  # some tax is rounded up, not truncated
        row[2] > 0 and row[4] != (row[2] * row[3] / 100).quantize(CENT, ROUND_DOWN)
        for row in payouts
    )
    invoices, lines = invoices_expected(ledger.month)
    assert {row[1] for row in invoices} == {"activity", "fixed"}
    complete = ledger.firms["complete"].pk  # complete, without a plan: billed per activity
    assert [row[1] for row in invoices if row[0] == complete] == ["activity"]
    assert {row[2] for row in lines} == {
        "Handled calls",
        "Fixed fee for the period",
        "Calls beyond the included volume",
        "Adjustments",
    }
    assert sum(1 for row in lines if row[0] == ledger.firms["inr"].pk and row[1]) == 2


# --- (b) A ledger writer racing the claim -------------------------------------------------


def writer_call(ledger: Ledger) -> Call:
    """One more answered call in the settled week (not yet in the ledger), offered under the
    first engagement."""
    engagement = ledger.engagements[0]
    end = at_noon(ledger.week + dt.timedelta(days=2))
    return Call.objects.create(
        provider="settle",
        provider_call_id="writer",
        line=ledger.lines[engagement.firm_id],
        firm_id=engagement.firm_id,
        agent_id=engagement.agent_id,
        engagement=engagement,  # as routing records it when it offers the call
        domain="insurance",
        status=Call.Status.COMPLETED,
        answered_at=end,
        ended_at=end,
        talk_seconds=90,
    )


def agent_total(agent_id: int, *runs: SettlementRun) -> Decimal:
    return Payout.objects.filter(run__in=runs, agent_id=agent_id).aggregate(s=Sum("gross"))["s"]


def ledger_total(agent_id: int) -> Decimal:
    rows = Transaction.objects.filter(agent_id=agent_id).aggregate(s=Sum("agent_amount"))["s"]
    extra = Adjustment.objects.filter(agent_id=agent_id).aggregate(s=Sum("amount"))["s"]
    return rows + (extra or 0)


def test_a_writer_holding_the_period_lock_makes_the_claim_wait_and_is_settled(locks):
    ledger = ledger_seed()
    run = run_open(kind=Kind.AGENTS, day=ledger.day)
    call = writer_call(ledger)
    recorded, release = threading.Event(), threading.Event()
    pids = {}

    def writer():  # records a transaction; its transaction stays open until released
        pids["writer"] = backend_pid()
        with transaction.atomic():
            row = transaction_record(call=call)  # takes the period locks FOR SHARE
            recorded.set()
            assert release.wait(timeout=30)
        return row

    def claimer():
        pids["claimer"] = backend_pid()
        return run_claim(run_id=run.pk)

    with ThreadPoolExecutor(max_workers=2) as pool:
        writing = in_thread(pool, writer)
        assert recorded.wait(timeout=30)
        claiming = in_thread(pool, claimer)
        # PostgreSQL says the claim waits for the writer, and the claim has not returned.
        wait_until(
            lambda: "claimer" in pids and pids["claimer"] in waiting_on(pids["writer"]),
            what="the claim waits for the writer's lock",
        )
        time.sleep(0.2)
        assert not claiming.done()
        release.set()
        row = writing.result(timeout=30)
        claimed = claiming.result(timeout=30)

    assert row.agent_period == run.period_start  # committed before the claim: in this run
    assert claimed.closed_at is not None
    done = run_execute(run_id=run.pk)
    assert done.transactions == ledger.transactions + 1
    assert payouts_actual(done) == payouts_expected(run.period_start)
    # The next week's run does not see it again.
    following = run_open(kind=Kind.AGENTS, day=run.period_end)
    following = settle(following.pk)
    assert following.transactions == 0 and not following.payouts.exists()
    assert agent_total(row.agent_id, done, following) == ledger_total(row.agent_id)


def test_a_writer_arriving_during_the_claim_waits_and_lands_in_the_next_period(locks):
    ledger = ledger_seed()
    run = run_open(kind=Kind.AGENTS, day=ledger.day)
    call = writer_call(ledger)
    claimed, release = threading.Event(), threading.Event()
    pids = {}

    def claimer():  # claims; its transaction stays open until released
        pids["claimer"] = backend_pid()
        with transaction.atomic():
            run_claim(run_id=run.pk)
            claimed.set()
            assert release.wait(timeout=30)

    def writer():
        pids["writer"] = backend_pid()
        return transaction_record(call=call)

    with ThreadPoolExecutor(max_workers=2) as pool:
        claiming = in_thread(pool, claimer)
        assert claimed.wait(timeout=30)
        writing = in_thread(pool, writer)
        wait_until(
            lambda: "writer" in pids and pids["writer"] in waiting_on(pids["claimer"]),
            what="the writer waits for the claim's lock",
        )
        time.sleep(0.2)
        assert not writing.done()
        release.set()
        claiming.result(timeout=30)
        row = writing.result(timeout=30)

    # The writer saw the period closed once the claim committed: the next period, not lost.
    assert row.agent_period == run.period_end
    done = run_execute(run_id=run.pk)
    assert done.transactions == ledger.transactions
    assert payouts_actual(done) == payouts_expected(run.period_start)
    following = run_open(kind=Kind.AGENTS, day=run.period_end)
    assert following.period_start == row.agent_period
    following = settle(following.pk)
    assert following.transactions == 1
    assert payouts_actual(following) == payouts_expected(following.period_start)
    assert agent_total(row.agent_id, done, following) == ledger_total(row.agent_id)


def test_the_claim_waits_for_a_writer_even_when_the_lock_rows_are_missing(db):
    """billing_settlementlock emptied (a `flush`, as every transactional test does; a restore
    without the data of migration 0002): the writer's FOR SHARE then locks nothing, the
    claim creates its row and does not wait, and a row the writer commits after the run's
    execute has started is left in a settled period: lost. Fix in periods_lock_shared: make
    sure the rows exist first (`INSERT … VALUES ('agents'), ('firms') ON CONFLICT DO
    NOTHING`), or refuse to go on when the FOR SHARE select returns fewer than two rows."""
    SettlementLock.objects.all().delete()
    ledger = ledger_seed(transactions=30)
    run = run_open(kind=Kind.AGENTS, day=ledger.day)
    call = writer_call(ledger)
    recorded, release = threading.Event(), threading.Event()

    def writer():
        with transaction.atomic():
            transaction_record(call=call)
            recorded.set()
            assert release.wait(timeout=30)

    with ThreadPoolExecutor(max_workers=2) as pool:
        writing = in_thread(pool, writer)
        try:
            assert recorded.wait(timeout=30)
            claiming = in_thread(pool, lambda: run_claim(run_id=run.pk))
            time.sleep(2)
            assert not claiming.done()  # fails: the claim went through
        finally:
            release.set()
            writing.result(timeout=30)


def test_a_writer_after_the_claim_lands_in_the_next_period(locks):
    ledger = ledger_seed(transactions=60)
    run = run_open(kind=Kind.AGENTS, day=ledger.day)
    run_claim(run_id=run.pk)
    row = transaction_record(call=writer_call(ledger))
    assert row.agent_period == run.period_end == period_end(Kind.AGENTS, run.period_start)
    assert run_execute(run_id=run.pk).transactions == ledger.transactions


def test_the_writer_lock_is_held_for_share(locks):
    """Two writers do not wait for each other: FOR SHARE, not FOR UPDATE."""
    with transaction.atomic():
        periods_lock_shared()
        conn = raw_connection()
        try:
            with conn.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")
                cursor.execute("SELECT kind FROM billing_settlementlock FOR SHARE")
                assert len(cursor.fetchall()) == 2
        finally:
            conn.rollback()
            conn.close()


# --- (c) Settling twice -----------------------------------------------------------------


def snapshot(run: SettlementRun) -> tuple:
    run = SettlementRun.objects.get(pk=run.pk)
    fields = (run.status, run.total, run.transactions, run.closed_at, run.finished_at)
    ids = [
        list(rows.filter(run=run).values_list("id", flat=True))
        for rows in (Payout.objects, Invoice.objects)
    ]
    return fields, settled(run), ids


@pytest.mark.parametrize("kind", [Kind.AGENTS, Kind.FIRMS])
def test_a_run_settled_twice_changes_nothing(locks, kind):
    ledger = ledger_seed()
    run = run_open(kind=kind, day=ledger.day)
    first = settle(run.pk)
    assert first.status == "done" and settled(run) == expected(run)
    before = snapshot(run)
    again = settle(run.pk)  # a second delivery of the task: claim + execute
    assert snapshot(run) == before
    assert (again.status, again.total) == ("done", first.total)
    assert SettlementRun.objects.get(pk=run.pk).attempts == 1  # the claim of a done run: no-op
    assert run_open(kind=kind, day=ledger.day).pk == run.pk  # one run per period
    assert AuditRecord.objects.about(run).filter(action="run_done").count() == 1


def test_re_executing_agent_payouts_of_a_run_marked_running_adds_nothing(locks):
    """The back-up behind the run-row lock: were a done run ever set back to running (by
    hand), `ON CONFLICT DO NOTHING` keeps one payout per (run, agent, currency)."""
    ledger = ledger_seed()
    run = run_open(kind=Kind.AGENTS, day=ledger.day)
    settle(run.pk)
    SettlementRun.objects.filter(pk=run.pk).update(status="running")
    again = run_execute(run_id=run.pk)
    assert again.total == expected_total(run)
    assert payouts_actual(run) == payouts_expected(run.period_start)


def test_re_executing_firm_invoices_of_a_run_marked_running_adds_nothing(locks):
    """The same back-up for invoices and their lines. (It once failed: the lines had no guard,
    "Handled calls" hit billing_line_once, and the fixed-fee and adjustment lines, whose
    request is NULL, would have been written twice; now each line INSERT skips invoices that
    already have lines.)"""
    ledger = ledger_seed()
    run = run_open(kind=Kind.FIRMS, day=ledger.day)
    settle(run.pk)
    SettlementRun.objects.filter(pk=run.pk).update(status="running")
    run_execute(run_id=run.pk)
    assert invoices_actual(run) == invoices_expected(run.period_start)


def test_invoice_lines_add_up_to_their_invoice_when_a_firm_bills_two_currencies(locks):
    """A firm with an INR and a USD invoice: its INR adjustment is a line of the INR invoice
    only. (It once was a line of both: 645.79 of lines on a 145.79 USD invoice.)"""
    ledger = ledger_seed(transactions=120)
    firm = ledger.firms["inr"]
    request = StaffingRequestFactory(firm=firm, currency="USD", headcount=5)
    agent = ledger.agents[0]
    application = Application.objects.create(request=request, agent=agent, status="approved")
    ledger.engagements = [
        Engagement.objects.create(
            firm=firm,
            agent=agent,
            request=request,
            application=application,
            rate_unit="call",
            client_rate=Decimal("3.00"),
            agent_rate=Decimal("2.00"),
            minimum_per_call=0,
            agent_minimum_per_call=0,
            currency="USD",
            starts_on=ledger.day,
            ends_on=ledger.day + dt.timedelta(days=1),
        )
    ]
    ledger_add(ledger, 5, rng=random.Random(1))
    run = settle(run_open(kind=Kind.FIRMS, day=ledger.day).pk)
    for invoice in Invoice.objects.filter(run=run):
        assert invoice.lines.aggregate(s=Sum("amount"))["s"] == invoice.total, invoice.currency
