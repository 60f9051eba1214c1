"""Fault drill: signed Twilio webhooks through a real gunicorn while the broker and then the
database go away and come back. Not a test and not a benchmark: a person's check, repeatable.

On the database `bench/http_bench.py` seeds (100k agents; run that first), this script

- starts its own Redis (port 6390, nothing on disk) as the Celery broker, a Celery worker on it,
  and a TCP proxy (port 6544) in front of PostgreSQL that it can cut;
- starts gunicorn (`config.wsgi`, 4 workers, production mode) with the database behind the
  proxy and the broker on that Redis;
- sends signed voice webhooks from 8 threads through four phases of `--phase` seconds each:
  normal, broker stopped, database cut (every open connection reset, new ones refused),
  everything back;
- for every caller given an agent, answers the `<Dial>`'s action as Twilio would (completed,
  95 s) in the same phase, so an answered call must be billed whatever the broker does;
- reports per phase the HTTP statuses and what the caller heard (dial, hold, apology, other),
  and afterwards in SQL: answered calls without their ledger row, agents with two live calls.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/homeshore_http_bench \\
        .venv/bin/python bench/fault_drill.py --phase 8

Only loopback; every process it starts is stopped at the end, whatever happens.
"""

import argparse
import contextlib
import http.client
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import http_bench as hb  # noqa: E402  (first: importing it sets Django up)
from bench import routing_bench as rb  # noqa: E402
from bench.tcpproxy import TcpProxy  # noqa: E402

# isort: split

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

HOST = hb.HOST
REDIS_PORT, PROXY_PORT, WEB_PORT = 6390, 6544, 8612
PHASES = ["normal", "broker stopped", "database cut", "all back"]
DIAL_PATH = "/telephony/twilio/dial-status/"


def heard(status: int, body: bytes) -> str:
    if status != 200:
        return f"HTTP {status}"
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return "not TwiML"
    redirect = root.find("Redirect")
    if redirect is not None and "retry=" in (redirect.text or ""):
        return "apology"
    if root.find("Dial") is not None:
        return "dial"
    if root.find("Hangup") is not None and root.find("Say") is not None:
        return "goodbye"
    return "hold" if redirect is not None else "other"


def signed(validator: RequestValidator, path: str, params: dict) -> tuple[bytes, dict]:
    url = f"http://{HOST}:{WEB_PORT}{path}"
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": validator.compute_signature(url, params),
    }
    return urlencode(params).encode(), headers


def caller_loop(stop, phase_of, world, validator, counts, lock, seed) -> None:
    rng = random.Random(seed)
    while not stop.is_set():
        phase = phase_of()
        line = rng.choice(world.lines)
        caller = rb.landline(rng, rng.choice(rb.LINE_REGIONS[line.language][1]))
        params = rb.twilio_params(line.line, caller)
        kind = post(validator, rb.VOICE_PATH, params)
        with lock:
            counts[phase][f"voice: {kind[0]}"] += 1
        if kind[0] == "dial":  # the agent answered and talked 95 s: Twilio reports the <Dial>
            action = urlsplit(kind[1].find("Dial").get("action"))
            done = params | {"DialCallStatus": "completed", "DialCallDuration": "95"}
            result = post(validator, f"{action.path}?{action.query}", done)
            with lock:
                counts[phase][f"dial report: {result[0]}"] += 1


def post(validator, path: str, params: dict):
    body, headers = signed(validator, path, params)
    conn = http.client.HTTPConnection(HOST, WEB_PORT, timeout=15)
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        content = response.read()
    except (OSError, http.client.HTTPException) as exc:
        return (f"no answer ({type(exc).__name__})", None)
    finally:
        conn.close()
    kind = heard(response.status, content)
    return (kind, ET.fromstring(content) if kind == "dial" else None)


def after_sql() -> dict[str, int]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM routing_call c WHERE c.status = 'completed' AND NOT EXISTS "
            "(SELECT 1 FROM billing_transaction t WHERE t.call_id = c.id)"
        )
        unbilled = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM routing_call WHERE status = 'completed'")
        completed = cur.fetchone()[0]
        cur.execute(hb.TWO_LIVE_SQL)
        two_live = cur.fetchone()[0]
    return {
        "completed": completed,
        "completed without a transaction": unbilled,
        "two live": two_live,
    }


@contextlib.contextmanager
def started(command: list[str], env: dict, log: Path):
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True
        )
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 15)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phase", type=float, default=8, help="seconds per phase")
    parser.add_argument("--callers", type=int, default=8)
    args = parser.parse_args()
    db = settings.DATABASES["default"]
    if "bench" not in db["NAME"]:
        sys.exit("Use the bench's own database (its name contains 'bench').")
    world, _ = hb.world_get(argparse.Namespace(reseed=False, agents=100_000, firms=20))
    token = "drill-" + os.urandom(8).hex()
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    redis_dir = tempfile.mkdtemp(prefix="drill-redis-")
    redis = [
        shutil.which("redis-server"),
        "--port",
        str(REDIS_PORT),
        "--bind",
        HOST,
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        redis_dir,
    ]
    proxy = TcpProxy((db["HOST"] or HOST, int(db["PORT"] or 5432)), port=PROXY_PORT)
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"} | {
        "DATABASE_URL": f"postgres://{auth}@{HOST}:{PROXY_PORT}/{db['NAME']}",
        "CELERY_BROKER_URL": f"redis://{HOST}:{REDIS_PORT}/0",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": os.urandom(32).hex(),
        "FIELD_ENCRYPTION_KEYS": hb.Fernet.generate_key().decode(),
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ALLOWED_HOSTS": HOST,
        "TWILIO_AUTH_TOKEN": token,
    }
    web = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--workers=4",
        f"--bind={HOST}:{WEB_PORT}",
        "--timeout=30",
    ]
    worker = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool=solo",
        "--loglevel=WARNING",
    ]
    counts = {phase: Counter() for phase in PHASES}
    with (
        started(redis, env, results / "drill_redis.log") as redis_process,
        started(worker, env, results / "drill_worker.log"),
        started(web, env, results / "drill_gunicorn.log") as web_process,
    ):
        hb._wait_ready(web_process, WEB_PORT)
        current = [PHASES[0]]
        stop, lock = threading.Event(), threading.Lock()
        validator = RequestValidator(token)
        threads = [
            threading.Thread(
                target=caller_loop,
                args=(stop, lambda: current[0], world, validator, counts, lock, n),
            )
            for n in range(args.callers)
        ]
        for thread in threads:
            thread.start()
        try:
            for phase in PHASES:
                current[0] = phase
                print(f"phase: {phase}", flush=True)
                if phase == "broker stopped":
                    os.killpg(redis_process.pid, 9)
                if phase == "database cut":
                    proxy.cut()
                if phase == "all back":
                    proxy.restore()
                    subprocess.Popen(redis, stdout=subprocess.DEVNULL, start_new_session=True)
                time.sleep(args.phase)
        finally:
            stop.set()
            for thread in threads:
                thread.join()
            subprocess.run(
                ["redis-cli", "-p", str(REDIS_PORT), "shutdown", "nosave"],
                capture_output=True,
                check=False,
            )
    for phase in PHASES:
        print(f"{phase:>15}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts[phase].items())))
    print("afterwards:", after_sql())
    log = (results / "drill_gunicorn.log").read_text()
    print("gunicorn log: tracebacks", log.count("Traceback"), "| 500s: not counted here")


if __name__ == "__main__":
    main()
