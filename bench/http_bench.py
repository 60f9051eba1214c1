"""HTTP benchmark: signed Twilio voice webhooks through a real gunicorn, /healthz as the floor.

Not a test. On PostgreSQL, with the agents `bench/routing_bench.py` seeds (its functions,
imported), this script

- starts its own gunicorn with the shipped configuration (`config/gunicorn.conf.py`: preload,
  sync workers, its access log; through its GUNICORN_* variables 4 workers on 127.0.0.1:8611,
  and no recycling mid-run) in production mode (`DJANGO_DEBUG=false`, throwaway secret and
  encryption keys, persistent database connections, no broker: Celery is eager, so each worker
  runs the routing sweep inline at most every 5 s) and always stops it;
- runs a load generator (threads, one keep-alive `http.client` connection each) sending signed
  voice webhooks, each a new caller (a fresh CallSid, a landline from the line's area), at 8
  and then 32 concurrent callers for a bounded time and count; then the same generator against
  `GET /healthz`, the floor: the least work the same server and generator can answer;
- reports per run requests, answers per second, p50/p95/p99, errors (no answer, non-200,
  not TwiML), the answers (dial, hold, voicemail, other), the callers held while an eligible
  agent was free, the ratios to the floor, and afterwards in SQL the agents holding two live
  calls (target 0);
- after the load, each worker's memory: RSS (which counts the copy-on-write pages a worker
  shares with the preloaded master) and PSS (`/proc/<pid>/smaps_rollup`: shared pages split
  between the processes sharing them), and the issue's targets (at 8 callers: >= 400
  decisions/s, p99 <= 50 ms; worker RSS <= 150 MiB).

Between runs the calls are truncated and the agents the run reserved made available again,
so each run starts from the same state. Run (see bench/README.md):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/homeshore_http_bench \\
        .venv/bin/python bench/http_bench.py --agents 100000 --duration 20

The database must be a dedicated one (its name must contain "bench"): it is created if missing
and migrated; it is seeded when empty, when it holds another number of agents, or with
`--reseed`, and reused otherwise.
"""

import argparse
import contextlib
import http.client
import itertools
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import routing_bench as rb  # noqa: E402  (first: importing it sets Django up)

# isort: split

from cryptography.fernet import Fernet  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

from agents.models import AgentProfile  # noqa: E402
from clients.models import PhoneLine, StaffingRequest  # noqa: E402

HOST = "127.0.0.1"  # the generator and the server talk over loopback only
GUNICORN_CONF = ROOT / "config" / "gunicorn.conf.py"  # the shipped configuration
TARGET_RATE, TARGET_P99_MS, TARGET_RSS_MIB, TARGET_CONCURRENCY = 400, 50, 150, 8
DOCS_START, DOCS_END = "<!-- http:start -->", "<!-- http:end -->"
SETTLEMENT_START = "<!-- settlement:start -->"  # the http section goes before it
HEALTHZ_PATH = "/healthz"
LOG = ROOT / "bench" / "results" / "http_bench_gunicorn.log"
HELD = frozenset({"queued", "waiting_behind_older"})  # the decision left the caller waiting
ANSWERS = ("dial", "hold", "voicemail", "other")


# --- The world: seeded by routing_bench, or reused ----------------------------------------


def world_get(args: argparse.Namespace) -> tuple[rb.World, float | None]:
    """The seeded agents and lines; seeds (routing_bench.seed) when asked or when the database
    does not hold this many agents. Returns the world and the seeding time (None: reused)."""
    lines = list(
        PhoneLine.objects.filter(firm__name__startswith="Bench Firm")
        .prefetch_related("languages")
        .order_by("pk")
    )
    agents = AgentProfile.objects.count()
    if not args.reseed and agents == args.agents and len(lines) == args.firms:
        requests = {r.firm_id: r for r in StaffingRequest.objects.filter(title__startswith="Bench")}
        world = rb.World(
            lines=[
                rb.BenchLine(line, line.languages.all()[0].language, requests[line.firm_id])
                for line in lines
            ],
            available=AgentProfile.objects.exclude(duty_status=AgentProfile.Duty.OFFLINE).count(),
        )
        agents_reset()
        print(f"reusing {agents} agents ({world.available} available), {len(lines)} lines")
        return world, None
    started = time.perf_counter()
    print(f"seeding {args.agents} agents …", flush=True)
    world = rb.seed(
        args.agents,
        random.Random(args.seed + args.agents),
        firms=args.firms,
        available_share=args.available,
        radius_steps=args.radius_steps,
    )
    seconds = time.perf_counter() - started
    print(f"seeded {args.agents} agents ({world.available} available) in {seconds:.0f} s")
    return world, seconds


def agents_reset() -> None:
    """Every call gone, every agent a run touched available again: each run starts equal.

    Only agents seeded available ever leave "offline" here (routing reserves available ones);
    they come back as just freed (idle from now), as an agent does after a call."""
    with connection.cursor() as cur:
        cur.execute("TRUNCATE routing_call, routing_providerrequest RESTART IDENTITY CASCADE")
        cur.execute(
            "UPDATE agents_agentprofile SET duty_status = %s, duty_changed_at = %s "
            "WHERE duty_status NOT IN (%s, %s)",
            [
                AgentProfile.Duty.AVAILABLE,
                timezone.now(),
                AgentProfile.Duty.OFFLINE,
                AgentProfile.Duty.AVAILABLE,
            ],
        )
        cur.execute("VACUUM ANALYZE agents_agentprofile")


# --- The server ---------------------------------------------------------------------------


@contextlib.contextmanager
def server(args: argparse.Namespace, token: str):
    """gunicorn in its own process group, stopped (the whole group) whatever happens."""
    with socket.socket() as probe:
        if probe.connect_ex((HOST, args.port)) == 0:
            sys.exit(f"{HOST}:{args.port} is in use: refusing to measure another server.")
    env = {k: v for k, v in os.environ.items() if k not in {"CELERY_BROKER_URL", "CACHE_URL"}}
    env |= {
        "DJANGO_DEBUG": "false",  # production settings: no default secrets, manifest statics
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),  # throwaway
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),  # throwaway
        "DJANGO_SECURE_SSL_REDIRECT": "false",  # plain http on loopback: no proxy in front
        "DJANGO_ALLOWED_HOSTS": HOST,
        "TWILIO_AUTH_TOKEN": token,
        "LOG_LEVEL": "WARNING",
        # The shipped config's own knobs: only where it binds and how many workers.
        "GUNICORN_BIND": f"{HOST}:{args.port}",
        "GUNICORN_WORKERS": str(args.workers),
        # No recycling during the runs (shipped: every ~2000 requests): the memory read after
        # the load is then of workers that served all of it, and no worker's CPU time is lost
        # with it. Recycling only ever lowers a worker's RSS.
        "GUNICORN_MAX_REQUESTS": "0",
    }
    env.pop("DATABASE_CONN_MAX_AGE", None)  # persistent connections: the settings' default
    LOG.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF)]
    with LOG.open("w") as log:  # this run's log only: its tracebacks are counted
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
        )
    try:
        _wait_ready(process, args.port)
        yield process
    finally:
        _stop(process)


def _wait_ready(process: subprocess.Popen, port: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited ({process.returncode}): see {LOG}\n{_log_tail()}")
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", HEALTHZ_PATH)
            response = conn.getresponse()
            body = response.read()
            conn.close()
            if response.status == 200:
                print(f"gunicorn ready (pid {process.pid}): {body.decode()}")
                return
            sys.exit(f"/healthz answered {response.status}: {body[:300]!r}\n{_log_tail()}")
        time.sleep(0.5)
    sys.exit(f"gunicorn not ready after {timeout:.0f} s\n{_log_tail()}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)  # the master and its workers
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    print(f"gunicorn stopped ({process.returncode})")


def _log_tail(lines: int = 30) -> str:
    return "\n".join(LOG.read_text().splitlines()[-lines:]) if LOG.exists() else ""


def workers_of(master: int) -> list[int]:
    """The gunicorn master's children (its workers), from /proc."""
    children = []
    for task in Path(f"/proc/{master}/task").iterdir():
        with contextlib.suppress(OSError):
            children += [int(p) for p in (task / "children").read_text().split()]
    return sorted(children)


def memory_of(pid: int) -> dict[str, float]:
    """RSS and PSS of one process, in MiB (VmRSS from /proc/<pid>/status, Pss from
    /proc/<pid>/smaps_rollup)."""
    figures = {}
    for name, key, path in (("rss", "VmRSS:", "status"), ("pss", "Pss:", "smaps_rollup")):
        for line in Path(f"/proc/{pid}/{path}").read_text().splitlines():
            if line.startswith(key):
                figures[name] = int(line.split()[1]) / 1024  # kB
                break
    return figures


def memory_after(process: subprocess.Popen) -> dict:
    """The master's and each worker's memory, now."""
    workers = workers_of(process.pid)
    return {
        "master": memory_of(process.pid),
        "workers": {pid: memory_of(pid) for pid in workers},
    }


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids) -> float:
    """User + system CPU time of these processes so far (/proc/<pid>/stat); gone ones: 0."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / TICKS


def server_cpu(process: subprocess.Popen) -> dict[str, float]:
    """CPU seconds so far of the gunicorn workers and of the PostgreSQL backends serving
    this database (the workers' persistent connections; other databases' are not counted)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        backends = [pid for (pid,) in cur.fetchall()]
    return {"workers": cpu_seconds(workers_of(process.pid)), "postgres": cpu_seconds(backends)}


def measured(process, generator, *args, **kwargs) -> "Run":
    """One run of the generator, with the server's CPU time it took (workers, PostgreSQL).
    A worker restarted during the run loses its CPU time: the figures are then lower bounds."""
    before = server_cpu(process)
    run = generator.run(*args, **kwargs)
    after = server_cpu(process)
    run.cpu = {k: max(after[k] - before[k], 0.0) for k in before}
    return run


# --- The load generator --------------------------------------------------------------------


@dataclass
class Sample:
    started: float  # perf_counter at the request
    seconds: float
    answer: str  # dial | hold | voicemail | other | error: …


@dataclass
class Run:
    target: str  # "webhook" or "healthz"
    concurrency: int
    samples: list[Sample] = field(default_factory=list)
    wall: float = 0.0
    sql: dict[str, int] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # seconds: "workers", "postgres"

    @property
    def answered(self) -> list[Sample]:
        return [s for s in self.samples if not s.answer.startswith("error")]

    @property
    def errors(self) -> Counter:
        return Counter(s.answer for s in self.samples if s.answer.startswith("error"))

    @property
    def rate(self) -> float:
        return len(self.answered) / self.wall if self.wall else 0.0

    def pct(self, q: int) -> float:
        """The q-th percentile in milliseconds, over every request that got a response."""
        times = [s.seconds for s in self.samples if not s.answer.startswith("error: no resp")]
        if len(times) < 2:
            return float("nan")
        return statistics.quantiles(times, n=100, method="inclusive")[q - 1] * 1000


def answer_kind(status: int, body: bytes) -> str:
    """What the caller hears, from the TwiML: a <Dial> (an agent), a hold loop (<Pause> and
    <Redirect>, no <Dial>), a <Record> (voicemail), or something else; errors otherwise."""
    if status != 200:
        return f"error: HTTP {status}"
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return "error: not TwiML"
    if root.tag != "Response":
        return "error: not TwiML"
    verbs = {child.tag for child in root}
    if "Dial" in verbs:
        return "dial"
    if verbs & {"Redirect", "Pause"}:
        return "hold"
    if "Record" in verbs:
        return "voicemail"
    return "other"


class Generator:
    """`concurrency` threads, each with one keep-alive connection, sending requests until the
    deadline or the shared budget of requests is spent. Only the HTTP exchange is timed."""

    def __init__(self, *, port: int, token: str, world: rb.World, seed: int):
        self.port, self.world, self.seed = port, world, seed
        self.url = f"http://{HOST}:{port}{rb.VOICE_PATH}"  # what Twilio signs, behind no proxy
        self.validator = RequestValidator(token)

    def webhook(self, rng: random.Random) -> tuple[str, str, bytes, dict[str, str]]:
        bench_line = rng.choice(self.world.lines)
        caller = rb.landline(rng, rng.choice(rb.LINE_REGIONS[bench_line.language][1]))
        params = rb.twilio_params(bench_line.line, caller)  # a fresh CallSid: a new caller
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": self.validator.compute_signature(self.url, params),
        }
        return "POST", rb.VOICE_PATH, urlencode(params).encode(), headers

    def run(
        self, target: str, concurrency: int, *, duration: float, budget: int, timeout: float = 15
    ) -> Run:
        run = Run(target, concurrency)
        tickets = itertools.count()
        lock = threading.Lock()
        started = time.perf_counter()
        deadline = started + duration

        def caller(number: int) -> None:
            rng = random.Random(f"{self.seed}-{target}-{concurrency}-{number}")
            conn = http.client.HTTPConnection(HOST, self.port, timeout=timeout)  # Twilio: 15 s
            mine = []
            while time.perf_counter() < deadline and next(tickets) < budget:
                if target == "webhook":
                    method, path, body, headers = self.webhook(rng)
                else:
                    method, path, body, headers = "GET", HEALTHZ_PATH, None, {}
                at = time.perf_counter()
                try:
                    conn.request(method, path, body=body, headers=headers)
                    response = conn.getresponse()
                    content = response.read()
                    kind = (
                        answer_kind(response.status, content)
                        if target == "webhook"
                        else (
                            "other" if response.status == 200 else f"error: HTTP {response.status}"
                        )
                    )
                except (OSError, http.client.HTTPException) as exc:
                    kind = f"error: no response ({type(exc).__name__})"  # refused, reset, > 15 s
                    conn.close()  # the next request opens a new connection
                mine.append(Sample(at, time.perf_counter() - at, kind))
            conn.close()
            with lock:
                run.samples.extend(mine)

        threads = [threading.Thread(target=caller, args=(n,)) for n in range(concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        run.wall = time.perf_counter() - started
        return run


# --- Afterwards, in SQL ---------------------------------------------------------------------

# Held while an eligible agent was free: the decision left the caller waiting although it had
# ranked eligible agents, and one of them was still unreserved when the decision was written.
# Agents are never freed during a run (no call ends; reservations outlast it), so an agent is
# free until the first call offered to it; `offered_at` is the start of the deciding
# transaction that reserved them, so an agent being reserved concurrently counts as taken.
HELD_SQL = """
SELECT count(DISTINCT d.call_id) FILTER (WHERE jsonb_array_length(d.candidates) > 0),
       count(DISTINCT d.call_id) FILTER (WHERE EXISTS (
           SELECT 1 FROM jsonb_array_elements(d.candidates) c
           WHERE NOT EXISTS (SELECT 1 FROM routing_call x
                             WHERE x.agent_id = (c ->> 'agent')::bigint
                               AND x.offered_at <= d.created_at)))
FROM routing_routingdecision d
WHERE d.outcome IN %(held)s
"""
TWO_LIVE_SQL = """
SELECT count(*) FROM (SELECT agent_id FROM routing_call
                      WHERE status IN ('offered', 'in_progress') AND agent_id IS NOT NULL
                      GROUP BY agent_id HAVING count(*) > 1) twice
"""
# Reserved agents no live call names, and live calls whose agent is not reserved/on a call.
MISMATCH_SQL = """
SELECT (SELECT count(*) FROM agents_agentprofile a
        WHERE a.duty_status IN ('reserved', 'on_call')
          AND NOT EXISTS (SELECT 1 FROM routing_call c WHERE c.agent_id = a.id
                          AND c.status IN ('offered', 'in_progress'))),
       (SELECT count(*) FROM routing_call c JOIN agents_agentprofile a ON a.id = c.agent_id
        WHERE c.status IN ('offered', 'in_progress')
          AND a.duty_status NOT IN ('reserved', 'on_call'))
"""


def sql_after(run: Run) -> dict[str, int]:
    with connection.cursor() as cur:
        cur.execute(HELD_SQL, {"held": tuple(HELD)})
        listed, free = cur.fetchone()
        cur.execute(TWO_LIVE_SQL)
        (two_live,) = cur.fetchone()
        cur.execute(MISMATCH_SQL)
        reserved_idle, live_unreserved = cur.fetchone()
        cur.execute("SELECT count(*) FROM routing_call")
        (calls,) = cur.fetchone()
        cur.execute(
            "SELECT outcome, count(*) FROM routing_routingdecision GROUP BY outcome ORDER BY 1"
        )
        outcomes = dict(cur.fetchall())
    available = AgentProfile.objects.filter(duty_status=AgentProfile.Duty.AVAILABLE).count()
    return {
        "calls": calls,
        "held_listed": listed,
        "held_free": free,
        "two_live": two_live,
        "reserved_idle": reserved_idle,
        "live_unreserved": live_unreserved,
        "available_after": available,
        **{f"outcome:{k}": v for k, v in outcomes.items()},
    }


# --- The whole run, and the report ---------------------------------------------------------


def bench(args: argparse.Namespace) -> tuple[list[Run], dict]:
    rb.database_prepare(migrate=not args.skip_migrate)
    world, seeded = world_get(args)
    token = secrets.token_hex(16)  # the server's TWILIO_AUTH_TOKEN for this run only
    generator = Generator(port=args.port, token=token, world=world, seed=args.seed)
    runs = []
    load_before = os.getloadavg()[0]
    with server(args, token) as process:
        started_workers = set(workers_of(process.pid))
        # Warm-up, untimed: each worker loads its code and data (the gazetteer) and opens its
        # database connection before the first measured request. Its requests are waited for
        # past Twilio's 15 s, so none is still running when the first run starts.
        warm = generator.run("webhook", args.workers, duration=args.warmup, budget=400, timeout=300)
        print(f"warm-up: {dict(Counter(s.answer for s in warm.samples))}")
        if any(s.answer.startswith("error: HTTP") for s in warm.samples):
            # A 403 here is a signature over another URL than the server rebuilds.
            sys.exit(f"warm-up answered errors\n{_log_tail()}")
        for concurrency in args.concurrency:
            agents_reset()
            print(f"voice webhook, {concurrency} concurrent callers …", flush=True)
            run = measured(
                process,
                generator,
                "webhook",
                concurrency,
                duration=args.duration,
                budget=args.max_requests,
            )
            run.sql = sql_after(run) | {"available_before": world.available}
            _progress(run)
            runs.append(run)
        agents_reset()
        for concurrency in args.concurrency:
            print(f"/healthz, {concurrency} concurrent callers …", flush=True)
            run = measured(
                process,
                generator,
                "healthz",
                concurrency,
                duration=args.duration,
                budget=args.max_requests * 10,
            )
            _progress(run)
            runs.append(run)
        memory = memory_after(process)  # after every run, the server still up
        memory["restarted"] = len(set(memory["workers"]) - started_workers)
        print(f"memory after the load: {memory}")
    meta = {
        "memory": memory,
        "warm": warm,
        "load": (load_before, os.getloadavg()[0]),
        "seeded": seeded,
        "available": world.available,
        "log_errors": _log_errors(),
    }
    return runs, meta


def _log_errors() -> int:
    """Tracebacks the workers logged (a 500 logs one): there should be none."""
    return LOG.read_text().count("Traceback") if LOG.exists() else 0


def _progress(run: Run) -> None:
    kinds = Counter(s.answer for s in run.samples)
    print(
        f"  {len(run.samples)} requests in {run.wall:.1f} s: {run.rate:.1f}/s, "
        f"p50 {run.pct(50):.1f} p95 {run.pct(95):.1f} p99 {run.pct(99):.1f} ms; "
        + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
    )
    if run.cpu and run.answered:
        print(f"  server CPU per answer: {_cpu(run)}")
    if run.sql:
        print(f"  afterwards: {run.sql}")


def warm_note(warm: Run) -> str:
    """The cold workers' first answers: each loads the gazetteer on its first call."""
    kinds = Counter(s.answer for s in warm.samples)
    slowest = max((s.seconds for s in warm.samples), default=0.0)
    late = sum(s.seconds > 15 for s in warm.samples)
    return (
        f"{warm.concurrency} concurrent callers, {len(warm.samples)} requests, the slowest "
        f"{slowest:.1f} s, {late} over Twilio's 15 s; "
        + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
    )


def _cpu(run: Run) -> str:
    n = len(run.answered)
    if not run.cpu or not n:
        return ""
    w, p = run.cpu["workers"] * 1000 / n, run.cpu["postgres"] * 1000 / n
    return f"{w:.1f} + {p:.1f}"


def _share(part: int, whole: int) -> str:
    return f"{part:,} ({part / whole:.1%})" if whole else "0"


def results_table(runs: list[Run]) -> str:
    floor = {r.concurrency: r for r in runs if r.target == "healthz"}
    rows = [
        "| Endpoint | Concurrent callers | Requests | Answers/s | p50 / p95 / p99 ms | Errors "
        "| Dial / hold / voicemail / other | Held while an eligible agent was free "
        "| ÷ /healthz at the same concurrency: p50 / p99 / answers/s "
        "| Server CPU ms per answer: gunicorn workers + PostgreSQL |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        kinds = Counter(s.answer for s in run.answered)
        answered = len(run.answered)
        errors = sum(run.errors.values())
        if run.target == "webhook":
            name = "`POST /telephony/twilio/voice/` (a decision each)"
            answers = " / ".join(f"{kinds[k]:,}" for k in ANSWERS)
            held = _share(run.sql["held_free"], answered)
            base = floor.get(run.concurrency)
            ratio = (
                f"{run.pct(50) / base.pct(50):.1f}x / {run.pct(99) / base.pct(99):.1f}x / "
                f"{run.rate / base.rate:.2f}x"
                if base
                else ""
            )
        else:
            name, answers, held, ratio = "`GET /healthz` (the floor)", "", "", "1x"
        rows.append(
            f"| {name} | {run.concurrency} | {len(run.samples):,} | {run.rate:,.1f} "
            f"| {run.pct(50):.1f} / {run.pct(95):.1f} / {run.pct(99):.1f} "
            f"| {_share(errors, len(run.samples))} | {answers} | {held} | {ratio} | {_cpu(run)} |"
        )
    return "\n".join(rows)


def sql_table(runs: list[Run]) -> str:
    rows = [
        "| Concurrent callers | Calls | Available agents before / after | Decisions by outcome "
        "| Held with ranked agents listed | … one of them still unreserved "
        "| Agents holding two live calls | Reserved agents without a live call "
        "/ live calls whose agent is not reserved |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in (r for r in runs if r.target == "webhook"):
        q = run.sql
        outcomes = ", ".join(
            f"{k.split(':', 1)[1]} {v:,}" for k, v in sorted(q.items()) if k.startswith("outcome:")
        )
        rows.append(
            f"| {run.concurrency} | {q['calls']:,} | {q['available_before']:,} / "
            f"{q['available_after']:,} | {outcomes} | {_share(q['held_listed'], q['calls'])} "
            f"| {_share(q['held_free'], q['calls'])} | {q['two_live']} "
            f"| {q['reserved_idle']} / {q['live_unreserved']} |"
        )
    return "\n".join(rows)


def memory_table(memory: dict) -> str:
    rows = [
        "| Process | RSS MiB | PSS MiB |",
        "|---|---|---|",
        f"| master | {memory['master']['rss']:.0f} | {memory['master']['pss']:.0f} |",
    ]
    for pid, m in sorted(memory["workers"].items()):
        rows.append(f"| worker {pid} | {m['rss']:.0f} | {m['pss']:.0f} |")
    return "\n".join(rows)


def targets(runs: list[Run], memory: dict | None = None) -> list[tuple[str, str, bool]]:
    checks = []
    for run in (r for r in runs if r.target == "webhook" and r.concurrency == TARGET_CONCURRENCY):
        checks += [
            (
                f"decisions/s at {run.concurrency} concurrent callers: >= {TARGET_RATE}",
                f"{run.rate:,.1f}",
                run.rate >= TARGET_RATE,
            ),
            (
                f"webhook p99 at {run.concurrency} concurrent callers: <= {TARGET_P99_MS} ms",
                f"{run.pct(99):.1f} ms",
                run.pct(99) <= TARGET_P99_MS,
            ),
        ]
    if memory and memory["workers"]:
        rss = max(m["rss"] for m in memory["workers"].values())
        pss = max(m["pss"] for m in memory["workers"].values())
        checks.append(
            (
                f"worker RSS after the load: <= {TARGET_RSS_MIB} MiB (the largest worker)",
                f"{rss:.0f} MiB (PSS {pss:.0f} MiB)",
                rss <= TARGET_RSS_MIB,
            )
        )
    for run in (r for r in runs if r.target == "webhook"):
        held, calls = run.sql["held_free"], len(run.answered)
        checks += [
            (
                f"callers held while an eligible agent was free, {run.concurrency} concurrent: 0%",
                _share(held, calls),
                held == 0,
            ),
            (
                f"agents holding two live calls afterwards, {run.concurrency} concurrent: 0",
                str(run.sql["two_live"]),
                run.sql["two_live"] == 0,
            ),
            (
                f"errors, {run.concurrency} concurrent: 0",
                str(sum(run.errors.values())),
                not run.errors,
            ),
        ]
    return checks


def _conn_max_age():
    return settings.DATABASES["default"].get("CONN_MAX_AGE")


def command_line() -> str:
    return rb.command_line().replace("bench/routing_bench.py", "bench/http_bench.py")


def report(runs: list[Run], args: argparse.Namespace, meta: dict) -> str:
    info = rb.machine()
    errors = Counter()
    for run in runs:
        errors.update(run.errors)
    seeded = (
        f"seeded in {meta['seeded']:.0f} s for this run"
        if meta["seeded"]
        else "reused from an earlier seeding (`--reseed` seeds again)"
    )
    lines = [
        "## Routing through a real server",
        "",
        f"Measured {timezone.now():%Y-%m-%d %H:%M} UTC by `bench/http_bench.py` "
        "(regenerate this section with `--write-docs`).",
        "",
        results_table(runs),
        "",
        "Afterwards, in SQL (each webhook run starts from no calls and the same agents available):",
        "",
        sql_table(runs),
        "",
        "Targets (from the issue):",
        "",
        *(
            f"- {'met' if ok else '**missed**'}: {name}: {got}"
            for name, got, ok in targets(runs, meta["memory"])
        ),
        "",
        "Memory after the load (every run done, the server still up; "
        f"{meta['memory']['restarted']} of the workers are replacements started during the "
        "runs): RSS counts every page a process maps, the "
        "copy-on-write pages it still shares with the preloaded master included; PSS "
        "(`/proc/<pid>/smaps_rollup`) splits each shared page between the processes "
        "sharing it, so the PSS of the master and workers add up to what the server holds.",
        "",
        memory_table(meta["memory"]),
        "",
        "What runs: gunicorn with the shipped `config/gunicorn.conf.py` (preload, sync "
        f"workers, its JSON access log; `GUNICORN_WORKERS={args.workers}`, "
        f"`GUNICORN_BIND={HOST}:{args.port}`, and `GUNICORN_MAX_REQUESTS=0`: no worker "
        "recycled mid-run, so memory and CPU are those of workers that served the whole load; "
        "everything else as shipped) started by the "
        "script in production mode (`DJANGO_DEBUG=false`, throwaway secret and encryption "
        "keys, no TLS redirect: plain http on loopback), no broker (Celery eager: each worker "
        "runs the routing sweep inline at most every 5 s, as the embedded setup does), "
        f"persistent database connections (`CONN_MAX_AGE={_conn_max_age()}`, health checks "
        "on). The load generator is Python threads in one process on the same machine, "
        "one `http.client` connection each (gunicorn's sync workers close it after each answer, "
        "so each request also opens a TCP connection, as Twilio's do). Each webhook is a new "
        "caller: a fresh CallSid, a random line, a landline from that line's area, signed with "
        "`RequestValidator.compute_signature` over the server's http URL. "
        f"Each run lasts {args.duration:g} s or {args.max_requests:,} requests "
        f"({args.max_requests * 10:,} for /healthz), after {args.warmup:g} s of untimed "
        f"warm-up ({warm_note(meta['warm'])}); percentiles are over every request that got an "
        "answer.",
        "",
        "- **Answers/s**: valid answers (HTTP 200 and TwiML) per second of the run's wall "
        "time; for the webhook each is one routing decision. **Errors**: no answer within "
        "15 s (Twilio's limit), a status other than 200, or a body that is not TwiML"
        + (f" (seen: {', '.join(f'{k} {v}' for k, v in sorted(errors.items()))})" if errors else "")
        + f"; tracebacks in the server's log: {meta['log_errors']}.",
        "- **Hold**: TwiML with `<Pause>`/`<Redirect>` and no `<Dial>`. **Held while an "
        "eligible agent was free**: a caller whose decision (`RoutingDecision`, outcome "
        "`queued` or `waiting_behind_older`) ranked eligible agents, one of whom was still "
        "unreserved when the decision was written (no call had been offered to them by then; "
        "agents are never freed during a run: no call ends, and reservations outlast it). "
        '"Held with ranked agents listed" counts every held decision with a non-empty '
        "ranking, the looser reading.",
        "- **Server CPU per answer**: user + system CPU time (`/proc/<pid>/stat`) the "
        "gunicorn workers and the PostgreSQL backends of this database (the workers' "
        "persistent connections) spent during the run, over the answers: where the "
        "machine's two cores go (the generator, the master and other databases not counted).",
        "- **Floor**: `GET /healthz` (`SELECT 1`, a JSON answer) through the same server and "
        "generator in the same run; the ratios are the webhook's p50, p99 and answers/s over "
        "the floor's at the same concurrency.",
        "- Callers are not followed past their first answer: no hold-loop redirects, no dial "
        "status; so agents reserved stay reserved for the rest of the run, and a line whose "
        "nearby agents are all taken holds its later callers (with no one listed).",
        "",
        f"Data: {args.agents:,} agents ({meta['available']:,} available), "
        f"{seeded}: `routing_bench.seed` — agents over Indian cities, 1-3 languages, 1-2 "
        f"skills, whole-week hours; {args.firms} firms with one single-language line each "
        + (f"(radius steps {args.radius_steps} km)" if args.radius_steps else "(no radius steps)")
        + ", each agent engaged with 1-3 of them.",
        "",
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), shared by the server, PostgreSQL and the "
        f"generator; {info['postgres']}; {info['python']}; load average {meta['load'][0]:.2f} "
        f"before the run, {meta['load'][1]:.2f} after. Code: {rb.code_state()}.",
        "",
        "Command:",
        "",
        "```",
        command_line(),
        "```",
        "",
    ]
    return "\n".join(lines)


def docs_write(section: str, path: Path = rb.DOCS) -> None:
    """The http section (new: before the settlement section, else at the end)."""

    def before_settlement(text: str, block: str) -> str | None:
        if SETTLEMENT_START not in text:
            return None
        head, tail = text.split(SETTLEMENT_START, 1)
        return head + block + "\n" + SETTLEMENT_START + tail

    rb.marked_section_write(section, DOCS_START, DOCS_END, path=path, place=before_settlement)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--duration", type=float, default=20, help="seconds per run")
    parser.add_argument("--max-requests", type=int, default=20_000, help="per webhook run")
    parser.add_argument("--warmup", type=float, default=5, help="untimed seconds first")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8611)
    parser.add_argument("--available", type=float, default=0.05, help="share on duty")
    parser.add_argument("--firms", type=int, default=20)
    parser.add_argument("--radius-steps", default="50,300", help="the lines' radius steps")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reseed", action="store_true", help="seed even if already seeded")
    parser.add_argument("--skip-migrate", action="store_true")
    parser.add_argument("--write-docs", action="store_true", help=f"update {rb.DOCS.name}")
    args = parser.parse_args(argv)
    if args.duration > 30:
        # Past ring timeout + margin (35 s) the sweep frees reservations: no longer one state.
        parser.error("--duration is at most 30 s")
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    settings.DEBUG = False  # no query log in this process either
    runs, meta = bench(args)
    section = report(runs, args, meta)
    print("\n" + section)
    if args.write_docs:
        docs_write(section)


if __name__ == "__main__":
    main()
