"""Settlement benchmark: a period's runs over 100k and 1M transactions, against their floor.

Not a test. On PostgreSQL, in its own database `homeshore_settle_bench` (created if missing,
migrated; no other database is touched: the server comes from DATABASE_URL, the database
name is always this one), for each size:

- seed N transactions (and N calls: a transaction needs its call) for 10k agents and 50
  firms in one past week, with SQL (INSERT … SELECT over generate_series; one template row
  per table, written by the ORM, supplies every column the seed does not set), then
  VACUUM ANALYZE;
- time `run_claim` + `run_execute` for the agents' run (one payout per agent) and for the
  firms' run (per-activity and fixed-fee invoices with their lines), each in a fresh Python
  process: wall time (median of --repeats), the growth of the process's peak RSS
  (ru_maxrss) over its baseline, and tracemalloc's peak during one more run;
- time the floor: one bare `CREATE TEMP TABLE … AS SELECT agent_id, currency, COUNT(*),
  SUM(agent_amount) FROM billing_transaction WHERE agent_period = … GROUP BY agent_id,
  currency` (firms: GROUP BY firm_id, currency, engagement_id with COUNT, SUM(units) and
  SUM(client_amount) — as finely as the invoices' lines need), the least work a set-based
  settlement can do; report settlement ÷ floor.

At the largest size the agents' run's payouts are approved and exported as CSV and XLSX by
the background task (`billing.export_jobs.export_build`, after the request's
`payout_export_record`), at each of --export-payouts (10k and 96k: beyond the run's own
payouts, a second run's are cloned by SQL), against a COPY of the same rows; the memory
target is a tracemalloc peak that does not grow with the payouts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/settlement_bench.py --sizes 100000 1000000 --write-docs

Targets: at 1M, each run within 2x of its floor and under 60 s; peak memory the same at
100k and 1M (the work is in SQL; Python holds no row of the period).
"""

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Its own database: SETTLEMENT_BENCH_DB (a name with "bench" in it), homeshore_settle_bench
# by default. No other database is touched.
DB_NAME = os.environ.get("SETTLEMENT_BENCH_DB", "homeshore_settle_bench")
if "bench" not in DB_NAME:
    sys.exit(f"SETTLEMENT_BENCH_DB={DB_NAME!r}: a bench database's name must contain 'bench'.")
DOCS = ROOT / "docs" / "performance.md"
START, END = "<!-- settlement:start -->", "<!-- settlement:end -->"


def _bench_url() -> str:
    """DATABASE_URL's server, always with the bench database."""
    url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit("PostgreSQL only: set DATABASE_URL=postgres://user@host:5432/…")
    return urlunsplit(parts._replace(path=f"/{DB_NAME}"))


os.environ["DATABASE_URL"] = _bench_url()
# Progress goes to the cache: keep it in-process, off any shared Redis.
os.environ["CACHE_URL"] = "locmemcache://settlement-bench"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Export files go to private storage: a folder of the bench's (each is deleted once measured).
os.environ["PRIVATE_MEDIA_ROOT"] = str(Path(tempfile.gettempdir()) / f"{DB_NAME}-media")

import django  # noqa: E402

django.setup()

import psycopg2  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from psycopg2 import sql as pgsql  # noqa: E402

from accounts.models import User  # noqa: E402
from agents.models import AgentProfile  # noqa: E402
from billing.models import (  # noqa: E402
    Adjustment,
    FixedFeePlan,
    Payout,
    SettlementLock,
    SettlementRun,
    Transaction,
)
from billing.periods import period_start  # noqa: E402
from billing.settlement import WORK_MEM, run_claim, run_execute, run_open  # noqa: E402
from clients.models import (  # noqa: E402
    Application,
    ClientFirm,
    Engagement,
    PhoneLine,
    StaffingRequest,
)
from routing.models import Call  # noqa: E402

Kind = SettlementRun.Kind
TDS_RATES = "ARRAY[0, 1, 2, 5, 7.5, 10, 20]::numeric[]"
# The floor groups exactly as finely as the run's answer needs and takes the aggregates it
# needs (billing.settlement's AGENT_SUMS / FIRM_SUMS): agents by (agent, currency) with the
# count and the sum; firms by (firm, currency, engagement) — an invoice has a line an
# engagement — with count, units and sum. Grouping firms by (firm, currency) only made a
# 50-group hash of a 10,000-group one and flattered the floor (~20%).
# CREATE TEMP TABLE … AS, like the run's own first step (it may scan in parallel, which an
# INSERT … SELECT may not): the floor is that one statement with nothing after it.
FLOOR_SQL = {
    Kind.AGENTS: """
        CREATE TEMP TABLE bench_floor AS
        SELECT agent_id, currency, COUNT(*) AS calls, SUM(agent_amount) AS total
          FROM billing_transaction
         WHERE agent_period = %s GROUP BY agent_id, currency""",
    Kind.FIRMS: """
        CREATE TEMP TABLE bench_floor AS
        SELECT firm_id, currency, engagement_id, COUNT(*) AS calls, SUM(units) AS units,
               SUM(client_amount) AS total
          FROM billing_transaction
         WHERE firm_period = %s GROUP BY firm_id, currency, engagement_id""",
}


# Labels for the statements of a run that are not billing.settlement constants.
OTHER_STATEMENTS = [
    ("SELECT COUNT(*) FROM billing_transaction", "count of transactions"),
    ("SELECT COALESCE(SUM(", "run total"),
    ('UPDATE "billing_settlementrun"', "run row update"),
    ('SELECT "billing_settlementrun"', "run row lock"),
    ('SELECT "billing_settlementlock"', "period lock"),
    ('INSERT INTO "common_auditrecord"', "audit record"),
]


@dataclass
class Measure:
    seconds: list[float]  # one a repeat
    tracemalloc_peak: int  # bytes, during one more run
    rss_growth: int  # bytes: peak RSS of the process over its baseline
    rss_baseline: int  # bytes
    detail: dict = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


@dataclass
class SizeResult:
    transactions: int
    agents: int
    firms: int
    seed_seconds: float | None  # None: reused
    runs: dict[str, dict] = field(default_factory=dict)  # kind -> {measure, floor, rows}
    exports: dict[str, dict] = field(default_factory=dict)


# --- Database -----------------------------------------------------------------------------


def database_prepare(*, migrate: bool) -> None:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql" or db["NAME"] != DB_NAME:
        sys.exit(f"Refusing to run on {db['NAME']!r}: this bench uses {DB_NAME!r} only.")
    params = {"user": db["USER"], "password": db["PASSWORD"], "host": db["HOST"]}
    params = {k: v for k, v in params.items() if v} | {"port": db["PORT"] or 5432}
    admin = psycopg2.connect(dbname="postgres", **params)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME])
        if cur.fetchone() is None:
            cur.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(DB_NAME)))
            print(f"created database {DB_NAME}")
    admin.close()
    if migrate:
        call_command("migrate", interactive=False, verbosity=0)


def execute(statement: str, params=None) -> int:
    with connection.cursor() as cur:
        cur.execute(statement, params)
        return cur.rowcount


def scalar(statement: str, params=None):
    with connection.cursor() as cur:
        cur.execute(statement, params)
        return cur.fetchone()[0]


def columns(table: str) -> list[str]:
    with connection.cursor() as cur:
        return [c.name for c in connection.introspection.get_table_description(cur, table)]


def clone(table: str, template: int, source: str, overrides: dict[str, str], params=None):
    """INSERT one row into `table` per row of the `source` query (aliased s): the template
    row's values, but for the `overrides` (SQL expressions over s). Returns the row count."""
    names = [c for c in columns(table) if c != "id"]
    values = [overrides.get(c, f"t.{c}") for c in names]
    unknown = set(overrides) - set(names)
    assert not unknown, f"{table} has no column {unknown}"
    statement = (
        f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(values)} "
        f"FROM {table} t CROSS JOIN ({source}) s WHERE t.id = {int(template)}"
    )
    return execute(statement, params)


@contextlib.contextmanager
def bulk_load(*tables: str):
    """For the seed's big INSERT … SELECTs: the tables' secondary indexes (neither primary
    key nor unique) are dropped and built again afterwards — one sorted build over 10M rows
    instead of 10M index insertions each — and foreign keys are not checked row by row
    (session_replication_role = replica; the rows are consistent by construction). The rows
    are generated inside PostgreSQL, so COPY would only add a trip of the data through the
    client."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x"
            " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
            " WHERE t.relname = ANY(%s) AND NOT x.indisprimary AND NOT x.indisunique",
            [list(tables)],
        )
        indexes = cur.fetchall()
    for name, _definition in indexes:
        execute(f'DROP INDEX "{name}"')
    execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        execute("SET session_replication_role = DEFAULT")
        execute("SET maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            execute(definition)
        execute("RESET maintenance_work_mem")


def data_reset() -> None:
    execute(
        "TRUNCATE accounts_user, clients_clientfirm, agents_agentprofile, routing_call, "
        "billing_transaction, billing_adjustment, billing_settlementrun, billing_payout, "
        "billing_invoice, billing_invoiceline, common_auditrecord, billing_fixedfeeplan "
        "RESTART IDENTITY CASCADE"
    )


def runs_reset() -> None:
    execute(
        "TRUNCATE billing_invoiceline, billing_invoice, billing_payout, billing_settlementrun, "
        "common_auditrecord RESTART IDENTITY CASCADE"
    )
    for kind in Kind.values:
        SettlementLock.objects.get_or_create(kind=kind)


def the_day() -> dt.date:
    """The 15th of last month: its week lies inside its month, and both have ended."""
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=15)


def seeded() -> tuple[int, int, int]:
    return (
        Transaction.objects.count(),
        AgentProfile.objects.count(),
        ClientFirm.objects.count(),
    )


# --- Seeding ------------------------------------------------------------------------------


def seed(n_tx: int, n_agents: int, n_firms: int) -> None:
    """n_agents agents, each engaged with one of n_firms firms (one line and one request
    each); n_tx answered calls and their transactions spread evenly over the agents and the
    days of one week; 1% of the agents and every tenth firm with an adjustment."""
    data_reset()
    day = the_day()
    week, month = period_start(Kind.AGENTS, day), period_start(Kind.FIRMS, day)
    week_at = timezone.make_aware(dt.datetime.combine(week, dt.time()))
    today = timezone.localdate()

    firms = ClientFirm.objects.bulk_create(
        ClientFirm(
            name=f"Bench firm {i}",
            currency="INR",
            contact_name="Bench",
            contact_email=f"firm{i}@bench.example",
            engagement_type="complete" if i % 5 == 0 else "partial",
        )
        for i in range(n_firms)
    )
    FixedFeePlan.objects.bulk_create(  # half the complete firms: the others bill per activity
        FixedFeePlan(firm=f, fee=500000, included_calls=15000, overage_per_call=30, currency="INR")
        for i, f in enumerate(firms)
        if i % 10 == 0
    )
    lines = PhoneLine.objects.bulk_create(
        PhoneLine(
            firm=f,
            number=f"+9180{5000000 + i:08d}",
            name=f"Line {i}",
            domain="insurance",
            region_geoname_id=1263780,
            region_name="Mangaluru, Karnataka, IN",
            region_latitude=12.91723,
            region_longitude=74.85603,
            business_days="0123456",
            opens_at=dt.time(0),
            closes_at=dt.time(23, 59),
        )
        for i, f in enumerate(firms)
    )
    requests = StaffingRequest.objects.bulk_create(
        StaffingRequest(
            firm=f,
            title=f"Desk {i}",
            domain="insurance",
            starts_at=dt.time(9),
            ends_at=dt.time(18),
            start_date=today - dt.timedelta(days=120),
            end_date=today + dt.timedelta(days=120),
            calls_per_hour=200,
            aht_seconds=180,
            headcount=n_agents,
            rate_unit="call",
            rate=40,
            currency="INR",
        )
        for i, f in enumerate(firms)
    )

    # One template row a table, by the ORM; clone() copies it with SQL.
    user = User.objects.create(email="agent0@bench.example", name="Agent 0", password="!")
    agent = AgentProfile.objects.create(user=user, full_name="Agent 0", tds_rate=0)
    application = Application.objects.create(request=requests[0], agent=agent, status="approved")
    engagement = Engagement.objects.create(
        firm=firms[0],
        agent=agent,
        request=requests[0],
        application=application,
        rate_unit="call",
        client_rate=40,
        agent_rate=28,
        minimum_per_call=0,
        agent_minimum_per_call=0,
        currency="INR",
        starts_on=today - dt.timedelta(days=120),
        ends_on=today + dt.timedelta(days=120),
    )
    ended = week_at + dt.timedelta(hours=12)
    call = Call.objects.create(
        provider="bench",
        provider_call_id="B0",
        line=lines[0],
        firm=firms[0],
        agent=agent,
        domain="insurance",
        status=Call.Status.COMPLETED,
        answered_at=ended,
        ended_at=ended,
        talk_seconds=60,
    )
    template_tx = Transaction.objects.create(
        call=call,
        engagement=engagement,
        agent=agent,
        firm=firms[0],
        currency="INR",
        units=1,
        agent_amount=28,
        client_amount=40,
        rate_card={
            "unit": "call",
            "currency": "INR",
            "client_rate": "40.00",
            "agent_rate": "28.00",
        },
        occurred_at=ended,
        agent_period=week,
        firm_period=month,
    )

    step = time.perf_counter()
    clone(
        "accounts_user",
        user.pk,
        "SELECT g FROM generate_series(1, %(n)s) g",
        {"email": "'agent' || s.g || '@bench.example'", "name": "'Agent ' || s.g"},
        {"n": n_agents - 1},
    )
    clone(
        "agents_agentprofile",
        agent.pk,
        "SELECT u.id, u.name FROM accounts_user u WHERE u.id <> %(user)s",
        {"user_id": "s.id", "full_name": "s.name", "tds_rate": f"({TDS_RATES})[1 + mod(s.id, 7)]"},
        {"user": user.pk},
    )
    clone(
        "clients_application",
        application.pk,
        "SELECT p.id AS agent_id, r.id AS request_id FROM agents_agentprofile p"
        " JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k"
        "       FROM clients_staffingrequest) r ON r.k = mod(p.id, %(firms)s)"
        " WHERE p.id <> %(agent)s",
        {"agent_id": "s.agent_id", "request_id": "s.request_id"},
        {"firms": n_firms, "agent": agent.pk},
    )
    clone(
        "clients_engagement",
        engagement.pk,
        "SELECT a.id, a.agent_id, a.request_id, r.firm_id FROM clients_application a"
        " JOIN clients_staffingrequest r ON r.id = a.request_id WHERE a.id <> %(app)s",
        {
            "application_id": "s.id",
            "agent_id": "s.agent_id",
            "request_id": "s.request_id",
            "firm_id": "s.firm_id",
        },
        {"app": application.pk},
    )
    print(f"  {n_agents:,} agents with their engagements: {time.perf_counter() - step:.1f} s")

    # Agent k (0-based, by id) takes calls g with g mod n_agents = k, at spread-out seconds.
    execute("DROP TABLE IF EXISTS bench_engagement")
    execute(
        "CREATE TEMP TABLE bench_engagement AS"
        " SELECT row_number() OVER (ORDER BY e.agent_id) - 1 AS k, e.id AS engagement_id,"
        "        e.agent_id, e.firm_id, l.id AS line_id, e.currency"
        "   FROM clients_engagement e JOIN clients_phoneline l ON l.firm_id = e.firm_id"
    )
    execute("ANALYZE bench_engagement")
    with bulk_load("routing_call", "billing_transaction"):
        step = time.perf_counter()
        clone(
            "routing_call",
            call.pk,
            "SELECT g, b.agent_id, b.firm_id, b.line_id,"
            "       %(week)s::timestamptz + make_interval(secs => mod(g * 7919, 604800)) AS ended,"
            "       30 + mod(g, 600) AS talk"
            "  FROM generate_series(1::bigint, %(n)s) g"
            "  JOIN bench_engagement b ON b.k = mod(g, %(agents)s)",
            {
                "provider_call_id": "'B' || s.g",
                "agent_id": "s.agent_id",
                "firm_id": "s.firm_id",
                "line_id": "s.line_id",
                "ended_at": "s.ended",
                "talk_seconds": "s.talk",
                "answered_at": "s.ended - make_interval(secs => s.talk)",
                "created_at": "s.ended",
            },
            {"week": week_at, "n": n_tx - 1, "agents": n_agents},
        )
        print(f"  {n_tx:,} calls: {time.perf_counter() - step:.1f} s")
        step = time.perf_counter()
        clone(
            "billing_transaction",
            template_tx.pk,
            "SELECT c.id, b.engagement_id, c.agent_id, c.firm_id, b.currency, c.ended_at,"
            "       (mod(c.id * 7919, 9900) + 100) / 100.0 AS agent_amount,"
            "       mod(c.id * 104729, 2500) / 100.0 AS margin"
            "  FROM routing_call c JOIN bench_engagement b ON b.agent_id = c.agent_id"
            " WHERE c.id <> %(call)s",
            {
                "call_id": "s.id",
                "engagement_id": "s.engagement_id",
                "agent_id": "s.agent_id",
                "firm_id": "s.firm_id",
                "currency": "s.currency",
                "occurred_at": "s.ended_at",
                "created_at": "s.ended_at",
                "agent_amount": "s.agent_amount",
                "client_amount": "s.agent_amount + s.margin",
            },
            {"call": call.pk},
        )
        print(f"  {n_tx:,} transactions: {time.perf_counter() - step:.1f} s")
        step = time.perf_counter()  # the indexes are built on leaving the block
    print(f"  their indexes built: {time.perf_counter() - step:.1f} s")

    actor = User.objects.create(email="finance@bench.example", name="Finance", password="!")
    agents = list(AgentProfile.objects.order_by("pk").values_list("pk", flat=True))
    Adjustment.objects.bulk_create(
        [
            Adjustment(
                agent_id=a,
                currency="INR",
                amount=(-1) ** i * 125,
                reason="bench",
                actor=actor,
                period=week,
            )
            for i, a in enumerate(agents[::100])
        ]
        + [
            Adjustment(
                firm=f, currency="INR", amount=1000, reason="bench", actor=actor, period=month
            )
            for f in firms[::10]
        ]
    )
    step = time.perf_counter()
    execute("VACUUM ANALYZE")
    print(f"  VACUUM ANALYZE: {time.perf_counter() - step:.1f} s")


# --- Measuring ----------------------------------------------------------------------------


def floor(kind: str, period: dt.date, repeats: int) -> list[float]:
    """The bare GROUP BY into a temp table, in a transaction rolled back each time."""
    samples = []
    for _ in range(repeats):
        with connection.cursor() as cur:
            cur.execute("BEGIN")
            # The run's own memory for sorts and hashes (billing.settlement.WORK_MEM): with
            # the server's default the floor's hash aggregate spills and is the slower one.
            cur.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
            started = time.perf_counter()
            cur.execute(FLOOR_SQL[kind], [period])
            samples.append(time.perf_counter() - started)
            cur.execute("ROLLBACK")
    return samples


def run_reset(run_id: int) -> None:
    """Undo a run (bench only): its rows go, the run is pending again."""
    execute(
        "DELETE FROM billing_invoiceline WHERE invoice_id IN"
        " (SELECT id FROM billing_invoice WHERE run_id = %s)",
        [run_id],
    )
    execute("DELETE FROM billing_invoice WHERE run_id = %s", [run_id])
    execute("DELETE FROM billing_payout WHERE run_id = %s", [run_id])
    SettlementRun.objects.filter(pk=run_id).update(
        status="pending", closed_at=None, attempts=0, total=0, transactions=0
    )


def breakdown(run_id: int) -> list[tuple[str, float]]:
    """Each SQL statement of one claim + execute, timed (`connection.execute_wrapper`), named
    after the billing.settlement constant it is, in a transaction rolled back afterwards."""
    from billing import settlement

    names = {
        " ".join(value.split()): name.removesuffix("_SQL")
        for name, value in vars(settlement).items()
        if name.endswith("_SQL") and isinstance(value, str)
    }
    timings: list[tuple[str, float]] = []

    def timed(execute_, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute_(sql, params, many, context)
        finally:
            text = " ".join(sql.split())
            name = names.get(text) or next(
                (label for start, label in OTHER_STATEMENTS if text.startswith(start)),
                text[:40] + "…",
            )
            timings.append((name, time.perf_counter() - started))

    run_reset(run_id)
    with transaction.atomic(), connection.execute_wrapper(timed):
        run_claim(run_id=run_id)
        run_execute(run_id=run_id)
        transaction.set_rollback(True)
    return sorted(timings, key=lambda item: -item[1])


def _rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def _settle(run_id: int) -> dict:
    run_claim(run_id=run_id)
    run = run_execute(run_id=run_id)
    return {"total": str(run.total), "transactions": run.transactions}


def _export(run_id: int, fmt: str) -> dict:
    """One export as finance makes it: the request's part (billing.exports.
    payout_export_record: the payouts fixed, the audit) and the task's (billing.export_jobs.
    export_build: the file written CHUNK rows at a time into private storage), in this
    process, as the worker runs it. The file is deleted afterwards."""
    from billing import export_jobs
    from billing.exports import payout_export_record
    from billing.models import PayoutExport
    from billing.tasks import new_task_id

    actor = User.objects.get(email="finance@bench.example")
    run = SettlementRun.objects.get(pk=run_id)
    started = time.perf_counter()
    export = payout_export_record(actor=actor, format=fmt, run=run)
    recorded = time.perf_counter() - started
    task_id = new_task_id()
    PayoutExport.objects.filter(pk=export.pk).update(task_id=task_id, queued_at=timezone.now())
    built = export_jobs.export_build(export_id=export.pk, holder="bench", task_id=task_id)
    export.refresh_from_db()
    assert export.status == PayoutExport.Status.READY, export.failure_reason
    export.file.storage.delete(export.file.name)
    return {"bytes": built["bytes"], "record_seconds": recorded, "rows": export.count}


# The export's floor: the same rows and columns (the sheet's, the agent's name and bank
# fields joined) copied out of PostgreSQL into a file by COPY — no Python per row at all.
EXPORT_FLOOR_SQL = """
COPY (SELECT p.id, r.period_start, r.period_end, a.full_name, a.bank_holder_name,
             a.bank_account_last4, a.bank_ifsc, p.currency, p.gross, p.tds_rate, p.tds, p.net,
             p.approved_at
        FROM billing_payout p JOIN billing_settlementrun r ON r.id = p.run_id
        JOIN agents_agentprofile a ON a.id = p.agent_id
       WHERE p.run_id = %s AND p.status = 'approved' ORDER BY p.id) TO STDOUT WITH CSV HEADER
"""


def export_floor(run_id: int, repeats: int) -> list[float]:
    samples = []
    statement = EXPORT_FLOOR_SQL.replace("%s", str(int(run_id)))
    for _ in range(repeats):
        with connection.cursor() as cur, tempfile.TemporaryFile() as sink:
            started = time.perf_counter()
            cur.cursor.copy_expert(statement, sink)  # psycopg2's raw cursor
            samples.append(time.perf_counter() - started)
    return samples


def child(spec: dict) -> Measure:
    """One measurement in this (fresh) process: `what` is a run kind or an export format."""
    what, run_id, repeats = spec["what"], spec["run"], spec["repeats"]
    settling = what in Kind.values
    job = (lambda: _settle(run_id)) if settling else (lambda: _export(run_id, what))
    # Warm up what every request pays anyway: the connection, the ORM, the modules.
    SettlementRun.objects.filter(pk=run_id).exists()
    if not settling:
        from billing import export_jobs, exports  # noqa: F401
    baseline = _rss()
    seconds, detail = [], {}
    for _ in range(repeats):
        if settling:
            run_reset(run_id)
        started = time.perf_counter()
        detail = job()
        seconds.append(time.perf_counter() - started)
    if settling:
        run_reset(run_id)
    tracemalloc.start()
    job()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return Measure(seconds, peak, _rss() - baseline, baseline, detail)


def in_child(what: str, run_id: int, repeats: int) -> Measure:
    spec = json.dumps({"what": what, "run": run_id, "repeats": repeats})
    out = subprocess.run(
        [sys.executable, __file__, "--child", spec],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if out.returncode:
        sys.exit(f"measuring {what} failed:\n{out.stderr}")
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
    data = json.loads(line.removeprefix("RESULT "))
    return Measure(**data)


def run_size(n_tx: int, args: argparse.Namespace) -> SizeResult:
    print(f"\n{n_tx:,} transactions, {args.agents:,} agents, {args.firms} firms")
    if not args.reseed and seeded() == (n_tx, args.agents, args.firms):
        print("  reusing the seeded data (same sizes; --reseed to seed again)")
        seed_seconds = None
    else:
        started = time.perf_counter()
        seed(n_tx, args.agents, args.firms)
        seed_seconds = time.perf_counter() - started
        print(f"  seeded in {seed_seconds:.1f} s")
    result = SizeResult(n_tx, args.agents, args.firms, seed_seconds)
    runs_reset()
    day = the_day()
    for kind in Kind.values:
        run = run_open(kind=kind, day=day)
        floor_s = floor(kind, run.period_start, args.repeats)
        measure = in_child(kind, run.pk, args.repeats)
        rows = (
            Payout.objects.filter(run=run).count() if kind == Kind.AGENTS else run.invoices.count()
        )
        statements = breakdown(run.pk)
        result.runs[kind] = {
            "measure": asdict(measure),
            "floor": floor_s,
            "rows": rows,
            "statements": statements,
        }
        ratio = measure.median / statistics.median(floor_s)
        print(
            f"  {kind:<6} {measure.median:7.2f} s  floor {statistics.median(floor_s):6.2f} s"
            f"  ratio {ratio:4.1f}x  tracemalloc peak {_kib(measure.tracemalloc_peak)}"
            f"  RSS growth {_mib(measure.rss_growth)}  ({rows:,} rows,"
            f" {measure.detail['transactions']:,} transactions)"
        )
        slowest = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in statements[:4])
        print(f"         slowest statements (one run, rolled back): {slowest}")
    if n_tx == max(args.sizes) and not args.skip_exports:
        result.exports = exports_measure(args)
    return result


def export_run(n: int, main: SettlementRun) -> SettlementRun:
    """A done agents' run with n approved payouts: the measured run itself when it has that
    many, else a run of the week before whose payouts are cloned by SQL, one an agent (bench
    agents added as needed, "xagent…"). export_runs_drop removes all of it again."""
    if Payout.objects.filter(run=main).count() >= n:
        return main
    have = AgentProfile.objects.count()
    user = User.objects.filter(agent_profile__isnull=False).order_by("pk").first()
    if have < n:
        clone(
            "accounts_user",
            user.pk,
            "SELECT g FROM generate_series(%(first)s, %(n)s) g",
            {"email": "'xagent' || s.g || '@bench.example'", "name": "'X agent ' || s.g"},
            {"first": have + 1, "n": n},
        )
        clone(
            "agents_agentprofile",
            user.agent_profile.pk,
            "SELECT u.id, u.name FROM accounts_user u WHERE u.email LIKE 'xagent%%'"
            " AND NOT EXISTS (SELECT 1 FROM agents_agentprofile p WHERE p.user_id = u.id)",
            {"user_id": "s.id", "full_name": "s.name"},
        )
    week = main.period_start - dt.timedelta(days=7)
    run, _ = SettlementRun.objects.get_or_create(
        kind=Kind.AGENTS,
        period_start=week,
        defaults={"period_end": main.period_start, "status": SettlementRun.Status.DONE},
    )
    execute("DELETE FROM billing_payoutexport_payouts")  # a smaller size's, measured already
    execute("DELETE FROM billing_payoutexport")
    Payout.objects.filter(run=run).delete()
    template = Payout.objects.filter(run=main).order_by("pk").first()
    clone(
        "billing_payout",
        template.pk,
        "SELECT id FROM agents_agentprofile ORDER BY id LIMIT %(n)s",
        {
            "run_id": str(int(run.pk)),
            "agent_id": "s.id",
            "gross": "t.gross + mod(s.id, 1000)",
            "net": "t.net + mod(s.id, 1000)",
        },
        {"n": n},
    )
    execute("ANALYZE billing_payout")
    return run


def export_runs_drop(main: SettlementRun) -> None:
    execute("DELETE FROM billing_payoutexport_payouts")
    execute("DELETE FROM billing_payoutexport")
    others = SettlementRun.objects.filter(kind=Kind.AGENTS).exclude(pk=main.pk)
    others = others.filter(period_start__lt=main.period_start)
    Payout.objects.filter(run__in=others).delete()
    others.delete()
    execute(
        "DELETE FROM agents_agentprofile WHERE user_id IN"
        " (SELECT id FROM accounts_user WHERE email LIKE 'xagent%%')"
    )
    execute("DELETE FROM accounts_user WHERE email LIKE 'xagent%%'")


def exports_measure(args: argparse.Namespace) -> dict:
    """The background export task (billing.export_jobs) over the approved payouts of one run,
    at each of --export-payouts, against its floor (COPY of the same rows)."""
    main = SettlementRun.objects.get(
        kind=Kind.AGENTS, period_start=period_start(Kind.AGENTS, the_day())
    )
    _settle(main.pk)  # the statement breakdown left it pending
    actor = User.objects.get(email="finance@bench.example")
    results: dict = {}
    try:
        for n in sorted(args.export_payouts):
            run = export_run(n, main)
            count = Payout.objects.filter(run=run).update(
                status=Payout.Status.APPROVED, approved_by=actor, approved_at=timezone.now()
            )
            floor_s = export_floor(run.pk, args.repeats)
            for fmt in ("csv", "xlsx"):
                measure = in_child(fmt, run.pk, args.repeats)
                results[f"{fmt}-{count}"] = {
                    "format": fmt,
                    "measure": asdict(measure),
                    "payouts": count,
                    "floor": floor_s,
                }
                ratio = measure.median / statistics.median(floor_s)
                print(
                    f"  export {fmt:<4} {count:,} payouts: {measure.median:6.2f} s (request"
                    f" {measure.detail['record_seconds']:.2f} s), floor"
                    f" {statistics.median(floor_s):.2f} s, {ratio:.1f}x,"
                    f" {measure.detail['bytes'] / 1024:,.0f} KiB, tracemalloc peak"
                    f" {_kib(measure.tracemalloc_peak)}, RSS growth {_mib(measure.rss_growth)}"
                )
    finally:
        export_runs_drop(main)
    return results


# --- Report -------------------------------------------------------------------------------


def _kib(n: int) -> str:
    return f"{n / 1024:,.0f} KiB"


def _mib(n: int) -> str:
    return f"{n / 2**20:,.1f} MiB"


def results_table(results: list[SizeResult]) -> str:
    rows = [
        "| Transactions | Run | Rows written | Settlement (median) | Floor (median) "
        "| Settlement ÷ floor | tracemalloc peak | Peak RSS growth |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for kind, data in r.runs.items():
            m = Measure(**data["measure"])
            f = statistics.median(data["floor"])
            what = "payouts" if kind == Kind.AGENTS else "invoices"
            rows.append(
                f"| {r.transactions:,} | {kind} | {data['rows']:,} {what} | {m.median:.2f} s "
                f"| {f:.2f} s | {m.median / f:.1f}x | {_kib(m.tracemalloc_peak)} "
                f"| {_mib(m.rss_growth)} |"
            )
    return "\n".join(rows)


def statements_list(results: list[SizeResult]) -> str:
    big = max(results, key=lambda r: r.transactions)
    lines = [
        f"Where the time goes at {big.transactions:,} (one more run of each, statement by "
        "statement, rolled back; named after the constants of `billing/settlement.py`):",
        "",
    ]
    for kind, data in big.runs.items():
        parts = [f"{name} {seconds:.2f} s" for name, seconds in data["statements"][:5]]
        lines.append(f"- {kind}: {', '.join(parts)}")
    return "\n".join(lines)


def exports_table(results: list[SizeResult]) -> str:
    exports = next((r.exports for r in results if r.exports), {})
    if not exports:
        return "Exports were not measured (`--skip-exports`)."
    rows = [
        "Exports, as the background task builds them (`billing.export_jobs.export_build`, in a "
        "fresh process as a worker runs it; the request's part, `payout_export_record`, "
        "included and shown apart). The floor is `COPY (SELECT` the sheet's columns `) TO "
        "STDOUT` into a file: the same rows out of PostgreSQL with no Python per row.",
        "",
        "| Export | Payouts | Time (median) | of which the request | Floor (COPY) "
        "| Export ÷ floor | Size | tracemalloc peak | Peak RSS growth |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for data in exports.values():
        m = Measure(**data["measure"])
        f = statistics.median(data["floor"])
        rows.append(
            f"| {data['format'].upper()} | {data['payouts']:,} | {m.median:.2f} s "
            f"| {m.detail['record_seconds']:.2f} s | {f:.3f} s | {m.median / f:.0f}x "
            f"| {m.detail['bytes'] / 1024:,.0f} KiB | {_kib(m.tracemalloc_peak)} "
            f"| {_mib(m.rss_growth)} |"
        )
    return "\n".join(rows)


def export_targets(results: list[SizeResult]) -> list[tuple[str, str, bool]]:
    exports = next((r.exports for r in results if r.exports), {})
    checks = []
    for fmt in ("csv", "xlsx"):
        sized = sorted(
            (d["payouts"], Measure(**d["measure"])) for d in exports.values() if d["format"] == fmt
        )
        if len(sized) < 2:
            continue
        (n0, a), (n1, b) = sized[0], sized[-1]
        # Flat: the peak may not grow with the rows (within 1 MiB of allocator noise).
        flat = b.tracemalloc_peak - a.tracemalloc_peak < 2**20
        checks.append(
            (
                f"{fmt} export: tracemalloc peak flat from {n0:,} to {n1:,} payouts",
                f"{_kib(a.tracemalloc_peak)} → {_kib(b.tracemalloc_peak)}, RSS growth "
                f"{_mib(a.rss_growth)} → {_mib(b.rss_growth)}",
                flat,
            )
        )
    return checks


def targets(results: list[SizeResult]) -> list[tuple[str, str, bool]]:
    big, small = (
        max(results, key=lambda r: r.transactions),
        min(results, key=lambda r: r.transactions),
    )
    checks = []
    for kind, data in big.runs.items():
        m = Measure(**data["measure"])
        ratio = m.median / statistics.median(data["floor"])
        checks.append(
            (
                f"{kind} run within 2x of its floor at {big.transactions:,}",
                f"{ratio:.2f}x",
                ratio <= 2,
            )
        )
        checks.append(
            (f"{kind} run under 60 s at {big.transactions:,}", f"{m.median:.2f} s", m.median < 60)
        )
    if big is not small:
        for kind in big.runs:
            a = Measure(**small.runs[kind]["measure"])
            b = Measure(**big.runs[kind]["measure"])
            # "The same": within 1 MiB (allocator noise), both for Python and for the RSS.
            same = (
                abs(b.tracemalloc_peak - a.tracemalloc_peak) < 2**20
                and abs(b.rss_growth - a.rss_growth) < 2**20
            )
            checks.append(
                (
                    f"{kind} run: peak memory the same at {small.transactions:,} and "
                    f"{big.transactions:,}",
                    f"tracemalloc {_kib(a.tracemalloc_peak)} → {_kib(b.tracemalloc_peak)}, "
                    f"RSS growth {_mib(a.rss_growth)} → {_mib(b.rss_growth)}",
                    same,
                )
            )
    return checks


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(x.split(":", 1)[1].strip() for x in f if x.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as f:
            kib = int(next(x for x in f if x.startswith("MemTotal")).split()[1])
            memory = f"{kib / 2**20:.1f} GiB"
    except (OSError, StopIteration):
        pass
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "memory": memory,
        "postgresql": scalar("SHOW server_version"),
        "python": platform.python_version(),
        "django": django.get_version(),
    }


def command_line() -> str:
    server = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres"))
    args = " ".join(shlex.quote(a) for a in sys.argv[1:])
    return f"DATABASE_URL={server} .venv/bin/python bench/settlement_bench.py {args}".strip()


def report(results: list[SizeResult], load: tuple[float, float]) -> str:
    m = machine()
    partial = ClientFirm.objects.filter(engagement_type="partial").count()
    fixed = FixedFeePlan.objects.count()
    others = ClientFirm.objects.count() - partial - fixed
    mix = f"{partial} partial, {fixed} complete with a fixed fee, {others} complete without one"
    lines = [
        "## Settlement",
        "",
        f"Measured {timezone.localdate():%d %b %Y} by `bench/settlement_bench.py` "
        "(regenerate this section with `--write-docs`):",
        "",
        "```sh",
        command_line(),
        "```",
        "",
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory']} RAM; PostgreSQL "
        f"{m['postgresql']} on the same machine; Python {m['python']}, Django {m['django']}. "
        f"Load average (1 min) {load[0]:.1f} at the start and {load[1]:.1f} at the end: other "
        "work on the machine shows up in these figures.",
        "",
        f"Data: {results[0].agents:,} agents, {results[0].firms} firms ({mix}), every "
        "transaction in one week of one month, plus adjustments for 1% of the agents and a "
        "tenth of the firms. Each run is "
        "`run_claim` + `run_execute` in a fresh Python process (median of the repeats, the run "
        "undone in between); the floor is the run's first statement alone, grouped as finely as "
        "the answer needs: `CREATE TEMP TABLE … AS SELECT agent_id, currency, COUNT(*), "
        "SUM(agent_amount) … GROUP BY agent_id, currency` (agents) and `SELECT firm_id, "
        "currency, engagement_id, COUNT(*), SUM(units), SUM(client_amount) … GROUP BY firm_id, "
        "currency, engagement_id` (firms: an invoice has a line an engagement). "
        "Peak RSS growth is ru_maxrss at the end over ru_maxrss after warming up (Django, the "
        "connection); tracemalloc's peak is over one more run.",
        "",
        results_table(results),
        "",
        statements_list(results),
        "",
        exports_table(results),
        "",
        "Targets:",
        "",
    ]
    for name, value, ok in targets(results) + export_targets(results):
        lines.append(f"- {'met' if ok else '**not met**'}: {name} ({value})")
    return "\n".join(lines) + "\n"


def docs_write(section: str, path: Path = DOCS) -> None:
    """Replace what lies between the settlement markers (appended at the end if missing);
    nothing else in the file changes."""
    text = path.read_text() if path.exists() else ""
    block = f"{START}\n{section.rstrip()}\n{END}"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        _, after = rest.split(END, 1)
        text = before + block + after
    elif END in text:
        # The start marker is gone (another section's rewrite can take the line just above
        # our heading with it): our old section runs from its heading to the end marker.
        before, after = text.split(END, 1)
        heading = before.rfind("## Settlement")
        before = before[:heading] if heading >= 0 else before
        text = before.rstrip("\n") + "\n\n" + block + after
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n" if text.strip() else block + "\n"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    print(f"wrote the settlement section of {path.relative_to(ROOT)}")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--agents", type=int, default=10_000)
    parser.add_argument("--firms", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--reseed", action="store_true", help="seed even if the sizes match")
    parser.add_argument("--skip-migrate", action="store_true")
    parser.add_argument("--skip-exports", action="store_true")
    parser.add_argument(
        "--export-payouts",
        type=int,
        nargs="+",
        default=[10_000, 96_000],
        help="payouts a measured export holds (beyond the run's own, cloned by SQL)",
    )
    parser.add_argument("--write-docs", action="store_true", help=f"update {DOCS.name}")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.sizes = sorted(args.sizes)
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.child:
        print("RESULT " + json.dumps(asdict(child(json.loads(args.child)))))
        return
    database_prepare(migrate=not args.skip_migrate)
    load_start = os.getloadavg()[0]
    results = [run_size(n, args) for n in args.sizes]
    section = report(results, (load_start, os.getloadavg()[0]))
    print("\n" + section)
    if args.write_docs:
        docs_write(section)


if __name__ == "__main__":
    main()
