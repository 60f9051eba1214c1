"""Nearest available agent at scale: the old bounding box against three KNN indexes.

Not a test. Run after `bench/routing_bench.py --agents 1000000` on the same bench database
(it reuses those agents, lines, engagements and calls). For each of --origins callers,
times the ranking statement — the decision's filters, the 10 nearest — with each way of
finding the nearest:

- box:      the old method: a bounding box per radius step (50 km, 300 km, anywhere) on the
            btree (latitude, longitude) partial index, equirectangular order;
- cube:     what routing uses: the unit-sphere point as cube's C functions compute it, GiST
            (migration agents 0011), ORDER BY <->;
- earthdistance: `ll_to_earth(latitude, longitude)` with GiST, ORDER BY <->;
- postgis:  `geography(ST_MakePoint(longitude, latitude))` with GiST, ORDER BY <->
            (needs `apt-get install postgresql-15-postgis-3`).

The callers are the calls routing_bench routed last (their origin, line, language, skill).

Each index is partial (verified, available agents), built here (build time and size
reported) and dropped at the end, with the extensions it needed. The variants are timed in
turn for each origin. Prints a Markdown table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/knn_bench \\
        .venv/bin/python bench/nearest_index_compare.py --origins 300
"""

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.routing_bench import ELIGIBLE, floor_params  # noqa: E402
from common.geo import bounding_box, haversine_km  # noqa: E402
from routing.selectors import EARTH_POINT, ORIGIN  # noqa: E402

WHERE = "p.status = 'verified' AND p.duty_status = 'available'"
INDEXES = {
    "cube": ("cube", "agents_profile_nearby_knn_idx", None),  # the migration's own
    "earthdistance": (
        "earthdistance",
        "bench_nearby_earth_idx",
        "ll_to_earth(latitude, longitude)",
    ),
    "postgis": (
        "postgis",
        "bench_nearby_geog_idx",
        "geography(ST_SetSRID(ST_MakePoint(longitude, latitude), 4326))",
    ),
}
ORDER = {
    "cube": f"{EARTH_POINT} <-> {ORIGIN}",
    "earthdistance": "ll_to_earth(p.latitude, p.longitude) <-> ll_to_earth(%(lat)s, %(lon)s)",
    "postgis": "geography(ST_SetSRID(ST_MakePoint(p.longitude, p.latitude), 4326))"
    " <-> geography(ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326))",
    "box": "(p.latitude - %(lat)s) * (p.latitude - %(lat)s) + ((p.longitude - %(lon)s) * %(k)s)"
    " * ((p.longitude - %(lon)s) * %(k)s), p.duty_changed_at, p.id",
}
# The KNN variants order by distance alone (the index gives `<->` order only as the whole
# ORDER BY; routing settles ties outside, see routing.selectors), with the partial index's
# predicate; the box keeps its old ORDER BY.
RANKED = """SELECT p.id, p.latitude, p.longitude FROM agents_agentprofile p WHERE {eligible} {box}
ORDER BY {order} LIMIT 11"""
BOX = "AND p.latitude BETWEEN %(a)s AND %(b)s AND p.longitude BETWEEN %(c)s AND %(d)s"


def build(cur, name: str) -> tuple[float, int]:
    extension, index, expression = INDEXES[name]
    cur.execute(f"CREATE EXTENSION IF NOT EXISTS {extension} CASCADE")
    started = time.perf_counter()
    if expression is not None:
        cur.execute(
            f"CREATE INDEX {index} ON agents_agentprofile USING gist (({expression}))"
            f" WHERE status = 'verified' AND duty_status = 'available'"
        )
    else:  # the migration's index exists: time a rebuild
        cur.execute(f"REINDEX INDEX {index}")
    elapsed = time.perf_counter() - started
    cur.execute("SELECT pg_relation_size(%s::regclass)", [index])
    return elapsed, cur.fetchone()[0]


def ranked(cur, name: str, params: dict, lat: float, lon: float) -> tuple[float, list]:
    started = time.perf_counter()
    if name == "box":  # step by step, as routing did before
        for radius in (50, 300, None):
            box = ""
            if radius is not None:
                a, b, c, d = bounding_box(lat, lon, radius)
                params |= {"a": a, "b": b, "c": c, "d": d}
                box = BOX
            cur.execute(RANKED.format(eligible=ELIGIBLE, box=box, order=ORDER[name]), params)
            rows = cur.fetchall()
            if rows:
                break
    else:
        cur.execute(RANKED.format(eligible=ELIGIBLE, box="", order=ORDER[name]), params)
        rows = cur.fetchall()
    return time.perf_counter() - started, rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--origins", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=50, help="untimed callers first")
    args = parser.parse_args(argv)
    if "bench" not in connection.settings_dict["NAME"]:
        sys.exit("a *bench* database only")
    with connection.cursor() as django_cur:
        # The calls routing_bench just routed: each line's callers dial from its language's
        # region, as real callers do (a random city against a random line would mostly ask
        # for a Tamil speaker in Madhya Pradesh: a walk over thousands of nearer agents).
        django_cur.execute(
            "SELECT line_id, domain, language, origin_latitude, origin_longitude"
            " FROM routing_call WHERE origin_latitude IS NOT NULL ORDER BY id LIMIT %s",
            [args.warmup + args.origins],
        )
        origins = django_cur.fetchall()
        if len(origins) < args.warmup + args.origins:
            sys.exit("run bench/routing_bench.py first: it leaves its calls for this script")
        django_cur.execute("SELECT count(*) FROM agents_agentprofile p WHERE " + WHERE)
        available = django_cur.fetchone()[0]
    raw = connection.connection
    raw.autocommit = True
    cur = raw.cursor()
    built = {name: build(cur, name) for name in INDEXES}
    cur.execute("ANALYZE agents_agentprofile")
    samples = {name: [] for name in ("box", *INDEXES)}
    farther = dict.fromkeys(samples, 0)

    class Call:  # what floor_params reads
        pass

    for i, (line_id, domain, language, lat, lon) in enumerate(origins):
        call = Call()
        call.origin_latitude, call.origin_longitude = lat, lon
        call.line_id, call.domain, call.language = line_id, domain, language
        params = floor_params(call, timezone.now())
        params["k"] = math.cos(math.radians(call.origin_latitude))
        first = {}
        names = list(samples)
        names = names[i % len(names) :] + names[: i % len(names)]  # each goes first in turn
        for name in names:
            elapsed, rows = ranked(
                cur, name, dict(params), call.origin_latitude, call.origin_longitude
            )
            if i >= args.warmup:
                samples[name].append(elapsed)
            first[name] = (
                haversine_km(call.origin_latitude, call.origin_longitude, rows[0][1], rows[0][2])
                if rows
                else None
            )
        if i < args.warmup:
            continue
        best = min((km for km in first.values() if km is not None), default=None)
        for name, km in first.items():
            if best is not None and (km is None or km > best + 1e-6):
                farther[name] += 1
    print(f"{available:,} available agents; {args.origins} callers\n")
    print(
        "| Nearest 10 by | p50 / p99 ms | Index build s | Index size MB "
        "| Nearest farther than the best found |"
    )
    print("|---|---|---|---|---|")
    for name, values in samples.items():
        q = statistics.quantiles(values, n=100, method="inclusive")
        build_s, size = built.get(name, (None, None))
        print(
            f"| {name} | {q[49] * 1000:.2f} / {q[98] * 1000:.2f} "
            f"| {'' if build_s is None else f'{build_s:.1f}'} "
            f"| {'' if size is None else f'{size / 1e6:.1f}'} | {farther[name]} |"
        )
    for _extension, index, expression in INDEXES.values():
        if expression is not None:
            cur.execute(f"DROP INDEX IF EXISTS {index}")
    cur.execute("DROP EXTENSION IF EXISTS postgis")
    cur.execute("DROP EXTENSION IF EXISTS earthdistance")
    print(f"\nload average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
