"""List pages at scale: every list page's p50/p95 and size at 10k and at 1M calls and
transactions, 100k agents, first page and a deep page (by keyset cursor).

Not a test. On PostgreSQL, in a dedicated database whose name contains "bench" (created if
missing, migrated, truncated):

- agents once: `bench/routing_bench.py`'s `seed` (100k verified agents, firms with one line
  each, 1-3 engagements an agent), plus staff (finance, vetting, admin, TOTP enrolled), a
  member of the busiest firm, and the busy agent (1% of all calls are theirs);
- per size N: N calls at a fixed daily rate (`--calls-per-day`: a bigger size is a longer
  history, not a busier day; today's calls are the same at every size), ending now; one
  decision per call; a transaction per completed call (its week and month); the ended weeks
  and months "settled": a done run each, one payout per agent and week, one invoice per firm
  and month (SQL, `INSERT … SELECT`, not the settlement code: that is settlement_bench's);
  a few calls live; then `routing.rollups.callday_sweep` (timed) and VACUUM ANALYZE;
- per page: `--repeats` GETs through django.test.Client signed in as the page's role (staff
  with TOTP enrolled pass the MFA gate like the tests' personas), after warm-ups; p50, p95,
  response bytes; the floor is `GET /healthz` the same way in the same run.

It reports p95 at the largest size over p95 at the smallest for each page, against the
issue's 1.5x, and each page's p95 over the floor's.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pages_bench \\
        .venv/bin/python bench/pages_bench.py --sizes 10000 1000000 --write-docs
"""

import argparse
import datetime as dt
import os
import random
import re
import shlex
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
COMMAND_URL = os.environ.get("DATABASE_URL", "")

from bench import routing_bench  # noqa: E402  (sets Django up on the bench database)

# settlement_bench's INSERT … SELECT helper. Importing it after Django is set up leaves the
# settings as they are (it only rewrites DATABASE_URL for a setup that has already happened).
from bench.settlement_bench import clone, execute  # noqa: E402

os.environ["DATABASE_URL"] = COMMAND_URL

from allauth.mfa.totp.internal.auth import TOTP  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from agents import staff_views as agent_staff_views  # noqa: E402
from agents.models import AgentProfile  # noqa: E402
from agents.staff_selectors import agent_review_queue, agents_by_name  # noqa: E402
from billing import agent_views as billing_agent_views  # noqa: E402
from billing import selectors as billing_selectors  # noqa: E402
from billing import staff_views as billing_staff_views  # noqa: E402
from billing.models import Invoice, Payout, SettlementRun, Transaction  # noqa: E402
from billing.periods import period_end, period_start  # noqa: E402
from clients.models import Engagement, FirmMember, PhoneLine  # noqa: E402
from routing import client_views as routing_client_views  # noqa: E402
from routing.models import Call, RoutingDecision  # noqa: E402
from routing.rollups import callday_sweep  # noqa: E402
from routing.selectors import calls_of  # noqa: E402

DOCS = ROOT / "docs" / "performance.md"
START, END = "<!-- pages:start -->", "<!-- pages:end -->"
TARGET = 1.5
TZ = settings.TIME_ZONE


@dataclass
class Page:
    name: str
    role: str
    url: str
    bytes: int = 0
    rows: int = 0
    samples: list[float] = field(default_factory=list)

    def pct(self, q: int) -> float:
        return statistics.quantiles(self.samples, n=100, method="inclusive")[q - 1] * 1000


@dataclass
class SizeResult:
    size: int
    seed_seconds: float
    rollup_seconds: float
    rollup_days: int
    counts: dict[str, int]
    pages: dict[str, Page]


# --- Seeding ------------------------------------------------------------------------------


def people(world) -> dict[str, User]:
    """Staff with TOTP, a member of the first firm, the busy agent (their pair is k = 0)."""
    users = {}
    for role, email in [
        ("finance", "finance@bench.example"),
        ("vetting", "vetting@bench.example"),
        ("admin", "admin@bench.example"),
    ]:
        user = User.objects.create(email=email, name=role.title(), role=role, password="!")
        TOTP.activate(user, "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U")
        users[role] = user
    execute("DROP TABLE IF EXISTS bench_pairs")
    execute(
        "CREATE TABLE bench_pairs AS SELECT row_number() OVER (ORDER BY e.id) - 1 AS k,"
        " e.id AS engagement_id, e.agent_id, e.firm_id, el.phoneline_id AS line_id"
        " FROM clients_engagement e JOIN clients_engagement_lines el ON el.engagement_id = e.id"
    )
    busy = scalar("SELECT agent_id FROM bench_pairs WHERE k = 0")
    firm = scalar("SELECT firm_id FROM bench_pairs WHERE k = 0")
    users["agent"] = AgentProfile.objects.get(pk=busy).user
    member = User.objects.create(
        email="firm@bench.example", name="Firm", role=User.Role.CLIENT, password="!"
    )
    FirmMember.objects.create(firm_id=firm, user=member, role=FirmMember.Role.ADMIN)
    users["firm"] = member
    return users


def scalar(statement: str, params=None):
    with connection.cursor() as cur:
        cur.execute(statement, params)
        return cur.fetchone()[0]


def history_reset() -> None:
    execute(
        "TRUNCATE routing_call, routing_routingdecision, routing_callday, billing_transaction,"
        " billing_payout, billing_invoiceline, billing_invoice, billing_settlementrun,"
        " billing_adjustment RESTART IDENTITY CASCADE"
    )


def seed_history(size: int, per_day: int) -> None:
    """`size` calls at `per_day` a day back from now; 1 in 100 the busy agent's."""
    history_reset()
    now = timezone.now()
    pair = Engagement.objects.order_by("pk").first()
    line = PhoneLine.objects.order_by("pk").first()
    template = Call.objects.create(
        provider="bench", provider_call_id="T", line=line, firm_id=line.firm_id, domain="x"
    )
    pairs = scalar("SELECT count(*) FROM bench_pairs")
    # Call g (1…size): 5 s in the queue, a wait of 0-39 s, 5 s ringing, 30-629 s of talk;
    # every 20th abandoned in the queue, every 20th (+1) after hours, 1 in 5000 lost.
    status = (
        "CASE WHEN mod(s.g, 20) = 0 THEN 'abandoned' WHEN mod(s.g, 20) = 1 THEN 'after_hours'"
        " WHEN mod(s.g, 5000) = 7 THEN 'lost' ELSE 'completed' END"
    )
    clone(
        "routing_call",
        template.pk,
        "SELECT g, p.agent_id, p.firm_id, p.line_id, p.engagement_id,"
        "       %(now)s::timestamptz - make_interval(secs => (g - 1) * 86400.0 / %(per_day)s)"
        "         - interval '700 seconds' AS created"
        "  FROM generate_series(1::bigint, %(n)s) g"
        "  JOIN bench_pairs p ON p.k = CASE WHEN mod(g, 100) = 3 THEN 0"
        "                              ELSE mod(g * 7919, %(pairs)s) END",
        {
            "provider_call_id": "'c' || s.g",
            "line_id": "s.line_id",
            "firm_id": "s.firm_id",
            "status": status,
            "agent_id": f"CASE WHEN {status} IN ('completed', 'lost') THEN s.agent_id END",
            "engagement_id": f"CASE WHEN {status} IN ('completed', 'lost') THEN"
            " s.engagement_id END",
            "created_at": "s.created",
            "queued_at": f"CASE WHEN {status} <> 'after_hours' THEN s.created + interval '5 s' END",
            "offered_at": f"CASE WHEN {status} IN ('completed', 'lost')"
            " THEN s.created + make_interval(secs => 5 + mod(s.g, 40)) END",
            "answered_at": f"CASE WHEN {status} = 'completed'"
            " THEN s.created + make_interval(secs => 10 + mod(s.g, 40)) END",
            "ended_at": (
                f"CASE WHEN {status} = 'completed' THEN s.created + make_interval("
                f"secs => 40 + mod(s.g, 40) + mod(s.g, 600)) WHEN {status} <> 'lost' THEN"
                " s.created + interval '60 s' END"
            ),
            "talk_seconds": f"CASE WHEN {status} = 'completed' THEN 30 + mod(s.g, 600) END",
            "needs_review": f"{status} = 'lost'",
            "attempts": "1",
            "caller": "'+9180' || lpad((40000000 + mod(s.g, 9999999))::text, 8, '0')",
            "language": "'en'",
        },
        {"now": now, "per_day": per_day, "n": size, "pairs": pairs},
    )
    Call.objects.filter(pk=template.pk).delete()
    # A few live calls for the console: 20 waiting, 10 talking (distinct agents, not busy).
    execute(
        "UPDATE routing_call SET status = 'queued', agent_id = NULL, engagement_id = NULL,"
        " offered_at = NULL, answered_at = NULL, ended_at = NULL, talk_seconds = NULL"
        " WHERE id IN (SELECT id FROM routing_call WHERE status = 'abandoned'"
        " ORDER BY created_at DESC LIMIT 20)"
    )
    execute(
        "UPDATE routing_call c SET status = 'in_progress', ended_at = NULL, talk_seconds = NULL"
        " FROM (SELECT DISTINCT ON (agent_id) id FROM routing_call WHERE status = 'completed'"
        " AND agent_id <> %(busy)s AND created_at > now() - interval '1 day'"
        " ORDER BY agent_id, created_at DESC LIMIT 10) x WHERE c.id = x.id",
        {"busy": scalar("SELECT agent_id FROM bench_pairs WHERE k = 0")},
    )
    decision = RoutingDecision.objects.create(
        call=Call.objects.first(), attempt=1, outcome="offered", candidates=[]
    )
    clone(
        "routing_routingdecision",
        decision.pk,
        "SELECT id, agent_id, created_at FROM routing_call WHERE agent_id IS NOT NULL",
        {"call_id": "s.id", "chosen_id": "s.agent_id", "created_at": "s.created_at"},
    )
    RoutingDecision.objects.filter(pk=decision.pk).delete()
    seed_ledger(pair, now)


def seed_ledger(pair: Engagement, now: dt.datetime) -> None:
    """A transaction per completed call; ended weeks and months settled (runs, payouts,
    invoices) so the agent's open earnings are this week's, as in a live system."""
    call = Call.objects.filter(status="completed").first()
    template = Transaction.objects.create(
        call=call,
        engagement_id=call.engagement_id,
        agent_id=call.agent_id,
        firm_id=call.firm_id,
        currency="INR",
        units=1,
        agent_amount=25,
        client_amount=40,
        rate_card={"unit": "call", "currency": "INR", "client_rate": "40.00"},
        occurred_at=call.ended_at,
        agent_period=period_start("agents", timezone.localdate(call.ended_at)),
        firm_period=period_start("firms", timezone.localdate(call.ended_at)),
    )
    local = f"(s.ended_at AT TIME ZONE '{TZ}')"
    clone(
        "billing_transaction",
        template.pk,
        "SELECT id, engagement_id, agent_id, firm_id, ended_at FROM routing_call"
        " WHERE status = 'completed' AND id <> %(call)s",
        {
            "call_id": "s.id",
            "engagement_id": "s.engagement_id",
            "agent_id": "s.agent_id",
            "firm_id": "s.firm_id",
            "occurred_at": "s.ended_at",
            "created_at": "s.ended_at",
            "agent_period": f"date_trunc('week', {local})::date",
            "firm_period": f"date_trunc('month', {local})::date",
        },
        {"call": call.pk},
    )
    today = timezone.localdate()
    for kind, column in [("agents", "agent_period"), ("firms", "firm_period")]:
        periods = Transaction.objects.values_list(column, flat=True).distinct().order_by(column)
        for start in periods:
            end = period_end(kind, start)
            if end > today:
                continue  # the open period: not settled yet
            run = SettlementRun.objects.create(
                kind=kind, period_start=start, period_end=end, status="done", finished_at=now
            )
            if kind == "agents":
                payout = Payout.objects.create(run=run, agent_id=pair.agent_id, currency="INR")
                clone(
                    "billing_payout",
                    payout.pk,
                    "SELECT agent_id, count(*) AS n, sum(agent_amount) AS gross"
                    " FROM billing_transaction WHERE agent_period = %(p)s"
                    " AND agent_id <> %(a)s GROUP BY agent_id",
                    {
                        "agent_id": "s.agent_id",
                        "calls": "s.n",
                        "gross": "s.gross",
                        "net": "s.gross",
                    },
                    {"p": start, "a": pair.agent_id},
                )
            else:
                firms = Transaction.objects.filter(firm_period=start).values_list("firm_id")
                Invoice.objects.bulk_create(
                    Invoice(run=run, firm_id=f, kind="activity", currency="INR", total=1000)
                    for (f,) in firms.distinct().order_by()
                )


# --- Measuring ----------------------------------------------------------------------------


def deep_cursor(keyset, rows, depth: float = 0.9) -> str | None:
    """The cursor a reader following "Next" would hold about `depth` down the list."""
    total = rows.order_by().count()
    if total < 2:
        return None
    at = min(total - 1, int(total * depth))
    row = rows.order_by(*(k.order_by() for k in keyset.keys))[at]
    return keyset._cursor(row, "next")


def pages_of(users: dict[str, User]) -> list[tuple[str, str, str]]:
    """(name, role, url): every list page, the deep ones by a cursor 90% down the list."""
    firm = FirmMember.objects.get(user=users["firm"]).firm
    agent = users["agent"].agent_profile
    run = SettlementRun.objects.filter(kind="agents").order_by("-period_start").first()
    call = calls_of(firm=firm).first()
    deep = {
        "vetting queue (verified)": (
            agent_staff_views.QUEUE_PAGES,
            agent_review_queue(status="verified"),
            "/staff/vetting/?status=verified",
        ),
        "TDS list": (agent_staff_views.TDS_PAGES, agents_by_name(), "/staff/finance/agents/"),
        "payouts": (
            billing_staff_views.PAYOUT_PAGES,
            billing_selectors.payouts_all(),
            "/staff/finance/payouts/",
        ),
        "invoices": (
            billing_staff_views.INVOICE_PAGES,
            billing_selectors.invoices_all(),
            "/staff/finance/invoices/",
        ),
        "firm: call history": (
            routing_client_views.CALL_PAGES,
            calls_of(firm=firm),
            "/client/calls/history/",
        ),
        "agent: earnings": (
            billing_agent_views.EARNINGS_PAGES,
            billing_selectors.agent_earnings_open(agent=agent)["transactions"],
            "/agent/earnings/",
        ),
        "agent: statements": (
            billing_agent_views.STATEMENT_PAGES,
            billing_selectors.agent_statements(agent=agent),
            "/agent/earnings/statements/",
        ),
    }
    roles = {
        "vetting queue (verified)": "vetting",
        "TDS list": "finance",
        "payouts": "finance",
        "invoices": "finance",
        "firm: call history": "firm",
        "agent: earnings": "agent",
        "agent: statements": "agent",
    }
    found = [("floor: /healthz", "finance", "/healthz")]
    for name, (keyset, rows, url) in deep.items():
        found.append((name, roles[name], url))
        cursor = deep_cursor(keyset, rows)
        if cursor:
            sep = "&" if "?" in url else "?"
            found.append((f"{name}, deep", roles[name], f"{url}{sep}cursor={cursor}"))
    found += [
        ("payouts, drafts", "finance", "/staff/finance/payouts/?status=draft"),
        ("routing console", "admin", "/staff/routing/"),
        ("finance: runs", "finance", "/staff/finance/"),
        ("firms", "admin", "/staff/clients/"),
        ("firm: calls (last 7 days, roll-ups)", "firm", "/client/calls/"),
        ("firm: calls (this month)", "firm", "/client/calls/?period=month"),
        ("firm: call detail", "firm", f"/client/calls/{call.pk}/"),
        ("firm: invoices", "firm", "/client/invoices/"),
        ("agent: home (calls today, earnings)", "agent", "/agent/"),
        # The poll with a stale key renders the fragment (while unchanged it answers 204).
        ("agent: calls workspace poll", "agent", "/agent/calls/workspace/state/"),
        ("agent: calls workspace", "agent", "/agent/calls/workspace/"),
    ]
    if run:
        found.append(("finance: run detail", "finance", f"/staff/finance/runs/{run.pk}/"))
    return found


def measure(users, repeats: int, warmup: int) -> dict[str, Page]:
    from urllib.parse import quote

    clients = {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        clients[role] = client
    pages = {}
    specs = pages_of(users)
    for name, role, url in specs:
        url = re.sub(r"cursor=(.+)$", lambda m: "cursor=" + quote(m.group(1)), url)
        pages[name] = Page(name, role, url)
    # Round-robin: each page once per round, so a load spike weighs on all alike.
    for i in range(warmup + repeats):
        for page in pages.values():
            start = time.perf_counter()
            response = clients[page.role].get(page.url)
            elapsed = time.perf_counter() - start
            if response.status_code != 200:
                raise SystemExit(f"{page.name}: {page.url} answered {response.status_code}")
            if i >= warmup:
                page.samples.append(elapsed)
                page.bytes = len(response.content)
                # Table rows shown (header rows included): a page with more rows to render
                # at the larger size is fuller, not slower per row.
                page.rows = response.content.count(b"<tr")
    return pages


def explain_plans() -> None:
    """EXPLAIN ANALYZE of the statements the scaled pages depend on."""
    firm_id = scalar("SELECT firm_id FROM bench_pairs WHERE k = 0")
    agent_id = scalar("SELECT agent_id FROM bench_pairs WHERE k = 0")
    for label, statement, params in [
        (
            "console live calls",
            "SELECT id FROM routing_call WHERE status IN ('menu','queued','offered','in_progress')"
            " ORDER BY created_at LIMIT 50",
            None,
        ),
        (
            "payouts page",
            "SELECT id FROM billing_payout ORDER BY run_id DESC, id LIMIT 51",
            None,
        ),
        (
            "firm calls page",
            "SELECT id FROM routing_call WHERE firm_id = %s ORDER BY created_at DESC, id DESC"
            " LIMIT 51",
            [firm_id],
        ),
        (
            "earnings page",
            "SELECT id FROM billing_transaction WHERE agent_id = %s ORDER BY occurred_at DESC,"
            " id DESC LIMIT 51",
            [agent_id],
        ),
    ]:
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
            print(f"-- {label}\n" + "\n".join(r[0] for r in cur.fetchall()))


def run_size(size: int, users, args) -> SizeResult:
    print(f"{size:,} calls: seeding …", flush=True)
    started = time.perf_counter()
    seed_history(size, args.calls_per_day)
    seed_seconds = time.perf_counter() - started
    started = time.perf_counter()
    days = callday_sweep(limit=10_000)
    rollup_seconds = time.perf_counter() - started
    routing_bench.vacuum_analyze()
    counts = {
        "calls": Call.objects.count(),
        "transactions": Transaction.objects.count(),
        "decisions": RoutingDecision.objects.count(),
        "payouts": Payout.objects.count(),
        "busy agent's transactions": Transaction.objects.filter(
            agent=users["agent"].agent_profile
        ).count(),
    }
    print(f"  seeded in {seed_seconds:.0f} s: {counts}; roll-ups {rollup_seconds:.1f} s")
    if args.explain:
        explain_plans()
    pages = measure(users, args.repeats, args.warmup)
    for page in pages.values():
        print(
            f"  {page.name:40} p50 {page.pct(50):7.1f} ms  p95 {page.pct(95):7.1f} ms  "
            f"{page.bytes / 1024:6.1f} KiB"
        )
    return SizeResult(size, seed_seconds, rollup_seconds, len(days), counts, pages)


# --- Report -------------------------------------------------------------------------------


def report(results: list[SizeResult], args, load: tuple[float, float]) -> str:
    small, large = results[0], results[-1]
    floor_s, floor_l = small.pages["floor: /healthz"], large.pages["floor: /healthz"]
    head = (
        f"| page | role | p50 / p95 at {small.size:,} (ms) | p50 / p95 at {large.size:,} (ms) "
        f"| table rows at {small.size:,} / {large.size:,} "
        f"| size at {large.size:,} | p95 {large.size:,} ÷ {small.size:,} "
        f"| p95 ÷ floor at {large.size:,} | growth of p95 ÷ floor | target ≤ {TARGET}x |"
    )
    rows = [head, "|" + " --- |" * 10]
    missed = []
    for name, page in large.pages.items():
        before = small.pages.get(name)
        if before is None:
            continue
        ratio = page.pct(95) / before.pct(95)
        # The same growth with each p95 over the floor of its own run: load that moved
        # between the two sizes' runs (other work on the machine) divides out.
        norm = (page.pct(95) / floor_l.pct(95)) / (before.pct(95) / floor_s.pct(95))
        ok = ratio <= TARGET
        verdict = "met" if ok else ("met against the floor" if norm <= TARGET else "**missed**")
        if verdict == "**missed**" and not name.startswith("floor"):
            missed.append(name)
        rows.append(
            f"| {name} | {page.role} | {before.pct(50):.1f} / {before.pct(95):.1f} "
            f"| {page.pct(50):.1f} / {page.pct(95):.1f} | {before.rows} / {page.rows} "
            f"| {page.bytes / 1024:.1f} KiB "
            f"| {ratio:.2f}x | {page.pct(95) / floor_l.pct(95):.1f}x | {norm:.2f}x "
            f"| {'—' if name.startswith('floor') else verdict} |"
        )
    counts = "; ".join(
        f"{r.size:,}: " + ", ".join(f"{v:,} {k}" for k, v in r.counts.items()) for r in results
    )
    url = re.sub(r"://([^:/@]+):[^@]+@", r"://\1:***@", COMMAND_URL)
    lines = [
        "## List pages at scale",
        "",
        f"Measured {timezone.now():%Y-%m-%d %H:%M} UTC by `bench/pages_bench.py` (regenerate "
        "with `--write-docs`). Each page through `django.test.Client`, signed in as its role, "
        f"{args.repeats} times after {args.warmup} warm-ups, round-robin over the pages; "
        "p95 at the largest size over p95 at the smallest (the issue's target: ≤ 1.5x), and "
        "over the floor (`GET /healthz`, same client, same run). Deep pages are opened by the "
        'keyset cursor a reader following "Next" holds 90% down the list.',
        "",
        *rows,
        "",
        f"Targets: {'all met' if not missed else 'missed: ' + ', '.join(missed)}. "
        f"Floor p95: {floor_s.pct(95):.2f} ms at {small.size:,}, {floor_l.pct(95):.2f} ms "
        f"at {large.size:,}.",
        "",
        f"Data: {args.agents:,} agents (`routing_bench.seed`), calls at {args.calls_per_day:,} "
        "a day back from now (a larger size is a longer history; today is alike), 1% of them "
        "the busy agent's, one decision each, a transaction per completed call, ended weeks "
        "and months settled (runs, payouts, invoices). Counts — " + counts + ". Roll-ups "
        "(`routing.rollups.callday_sweep`, every day from the first call): "
        + ", ".join(f"{r.rollup_days} days in {r.rollup_seconds:.1f} s" for r in results)
        + ".",
        "",
        f"Load average {load[0]:.2f} before, {load[1]:.2f} after (2 cores shared with other "
        f"work). {routing_bench.machine()['postgres']}.",
        "",
        "Command:",
        "",
        "```",
        f"DATABASE_URL={url} .venv/bin/python bench/pages_bench.py " + shlex.join(sys.argv[1:]),
        "```",
        "",
    ]
    return "\n".join(lines)


def docs_write(section: str) -> None:
    text = DOCS.read_text() if DOCS.exists() else "# Performance\n"
    block = f"{START}\n{section.rstrip()}\n{END}\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1].lstrip("\n").join(["\n", ""])
    else:
        text = text.rstrip("\n") + "\n\n" + block
    DOCS.write_text(text)
    print(f"wrote {DOCS.relative_to(ROOT)}")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--agents", type=int, default=100_000)
    parser.add_argument("--firms", type=int, default=20)
    parser.add_argument("--calls-per-day", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--write-docs", action="store_true")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    settings.DEBUG = False
    routing_bench.database_prepare()
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    world = routing_bench.seed(
        args.agents,
        random.Random(args.seed),
        firms=args.firms,
        available_share=0.05,
        radius_steps="",
    )
    print(f"{args.agents:,} agents in {time.perf_counter() - started:.0f} s")
    users = people(world)
    results = [run_size(size, users, args) for size in sorted(args.sizes)]
    section = report(results, args, (load_before, os.getloadavg()[0]))
    print("\n" + section)
    if args.write_docs:
        docs_write(section)


if __name__ == "__main__":
    main()
