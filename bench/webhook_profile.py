"""Where one signed voice webhook spends its time, in-process: not a test, not a report.

On the PostgreSQL bench database `bench/routing_bench.py` seeded (reused as it is), this

- times N webhooks (`POST /telephony/twilio/voice/` through django.test.Client, signed, a new
  caller each; the agent released afterwards, untimed) interleaved with the strict floor
  (routing_bench.measure_strict_floor: the one KNN locking statement, bare) and prints
  p50/p99 and ratios;
- `--profile K`: cProfile over K more webhooks, the top functions by own and cumulative time;
- `--statements`: one webhook's SQL statements with their planning and execution times
  (`EXPLAIN (ANALYZE)` of each, in a transaction rolled back).

Used for the A/B figures of docs/performance.md's "Webhook cost (issue 14)": run it twice
with a settings switch changed (e.g. DATABASE_PREPARED_STATEMENTS=0/1), same data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/homeshore_bench \\
        .venv/bin/python bench/webhook_profile.py --calls 300 --statements --profile 100
"""

import argparse
import cProfile
import gc
import io
import os
import pstats
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import routing_bench as rb  # noqa: E402  (first: importing it sets Django up)

# isort: split

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from clients.models import PhoneLine, StaffingRequest  # noqa: E402
from routing.models import Call  # noqa: E402
from routing.services import calls, deciding, next_step  # noqa: E402


def world() -> rb.World:
    lines = list(
        PhoneLine.objects.filter(firm__name__startswith="Bench Firm")
        .prefetch_related("languages")
        .order_by("pk")
    )
    if not lines:
        sys.exit("No bench lines: seed with bench/routing_bench.py first.")
    requests = {r.firm_id: r for r in StaffingRequest.objects.filter(title__startswith="Bench")}
    return rb.World(
        lines=[
            rb.BenchLine(line, line.languages.all()[0].language, requests[line.firm_id])
            for line in lines
        ],
        available=0,
    )


def one_webhook(client: Client, line: PhoneLine, caller: str) -> float:
    elapsed, _answer = rb.measure_webhook(client, line, caller)  # releases the agent after
    return elapsed


def _old_route(*, call_id, at=None):
    """call_route as it was before issue 14: the explanation inline, after the decision."""
    placement, decision = deciding.call_decide(call_id=call_id, at=at)
    if decision is not None:
        deciding.decision_explain(decision)
    return placement


# The variants --ab compares with today's code ("now"), each undoing one change.
VARIANTS = {
    "explain_inline": (next_step, "call_route", _old_route),
    "sync_commit": (calls, "_commit_without_flush_wait", lambda outermost: None),
}


def timed(w: rb.World, rng: random.Random, n: int, warmup: int, ab: str | None) -> None:
    """Per call: the strict floor, then the webhook (with --ab: once as now and once in the
    variant, in alternating order, each a new caller), so load weighs on all alike."""
    client = Client()
    samples = {"floor": [], "now": [], ab: []} if ab else {"floor": [], "now": []}
    gc.collect()
    for i, (line, caller) in enumerate(rb.call_specs(w, warmup + n, rng)):
        call = rb.new_call(line, caller)
        measured = {"floor": rb.measure_strict_floor(call)[0]}
        rb.release(call.pk, None)
        order = ["now", ab] if ab else ["now"]
        for variant in order if i % 2 else order[::-1]:
            if variant == "now":
                measured["now"] = one_webhook(client, line, caller)
                continue
            module, name, replacement = VARIANTS[variant]
            original = getattr(module, name)
            setattr(module, name, replacement)
            try:
                measured[variant] = one_webhook(client, line, caller)
            finally:
                setattr(module, name, original)
        if i >= warmup:
            for key, value in measured.items():
                samples[key].append(value)
    stats = {k: rb.Stats(v) for k, v in samples.items()}
    f = stats["floor"]
    for key, st in stats.items():
        print(
            f"{key:>15}: p50 {st.p50:6.2f} p99 {st.p99:6.2f} ms; ÷ strict floor p50 "
            f"{st.p50 / f.p50:4.1f}x p99 {st.p99 / f.p99:4.1f}x"
        )
    print(f"({n} calls, load average {os.getloadavg()[0]:.2f})")


def profiled(w: rb.World, rng: random.Random, calls: int) -> None:
    client = Client()
    specs = rb.call_specs(w, calls, rng)
    profile = cProfile.Profile()
    for line, caller in specs:
        profile.enable()
        params = rb.twilio_params(line, caller)
        rb.post_voice(client, params)
        profile.disable()
        call = Call.objects.get(provider="twilio", provider_call_id=params["CallSid"])
        rb.release(call.pk, call.agent_id)
    profile.dump_stats(str(ROOT / "bench" / "results" / "webhook.prof"))
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(40)
        print(f"\n--- cProfile over {calls} webhooks, by {order}\n{out.getvalue()}")


PLAN = re.compile(r"Planning Time: ([\d.]+) ms")
EXEC = re.compile(r"Execution Time: ([\d.]+) ms")


def statements(w: rb.World, rng: random.Random) -> None:
    ((line, caller),) = rb.call_specs(w, 1, rng)
    params = rb.twilio_params(line, caller)
    with CaptureQueriesContext(connection) as captured:
        rb.post_voice(Client(), params)
    call = Call.objects.get(provider="twilio", provider_call_id=params["CallSid"])
    rb.release(call.pk, call.agent_id)
    kinds = Counter()
    print(f"\n--- {len(captured)} statements of one webhook (Django's own timing, then plan/exec)")
    total_plan = total_exec = 0.0
    for q in captured.captured_queries:
        sql = q["sql"]
        head = " ".join(sql.split())[:110]
        kinds[sql.split()[0].upper()] += 1
        plan = run = None
        if sql.split()[0].upper() in {"SELECT", "UPDATE", "INSERT", "DELETE"}:
            try:
                with transaction.atomic():
                    with connection.cursor() as cur:
                        cur.execute("EXPLAIN (ANALYZE, SUMMARY) " + sql.replace("%", "%%"))
                        text = "\n".join(r[0] for r in cur.fetchall())
                    transaction.set_rollback(True)
                plan, run = float(PLAN.search(text)[1]), float(EXEC.search(text)[1])
                total_plan, total_exec = total_plan + plan, total_exec + run
            except Exception as error:  # a report line, not a failure
                head += f"  [not explained: {type(error).__name__}]"
        figures = f"plan {plan:.3f} exec {run:.3f}" if plan is not None else " " * 24
        print(f"  {float(q['time']) * 1000:6.2f} ms  {figures}  {head}")
    print(f"  planning {total_plan:.2f} ms + execution {total_exec:.2f} ms; {dict(kinds)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--profile", type=int, default=0, help="webhooks under cProfile")
    parser.add_argument("--statements", action="store_true")
    parser.add_argument("--ab", choices=sorted(VARIANTS), help="compare with a variant")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if "bench" not in settings.DATABASES["default"]["NAME"]:
        sys.exit("Use a dedicated *bench* database.")
    settings.DEBUG = False
    rng = random.Random(args.seed)
    w = world()
    print(
        "options:",
        {k: v for k, v in settings.DATABASES["default"].get("OPTIONS", {}).items()},
        "CONN_MAX_AGE",
        settings.DATABASES["default"].get("CONN_MAX_AGE"),
    )
    started = time.perf_counter()
    if args.calls:
        timed(w, rng, args.calls, args.warmup, args.ab)
    if args.statements:
        statements(w, rng)
    if args.profile:
        profiled(w, rng, args.profile)
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
