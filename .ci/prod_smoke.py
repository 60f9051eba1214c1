"""Production-mode smoke test: the app as deploy/ runs it, driven over HTTP.

A fresh PostgreSQL database; DJANGO_DEBUG=false with a generated secret key, Fernet key and
Twilio token; `migrate`, `collectstatic`, `check --deploy --fail-level WARNING`; gunicorn with
config/gunicorn.conf.py, a Celery worker and beat on RabbitMQ (results and cache on Redis);
`seed_demo`. Then, over HTTP as a browser behind the TLS proxy would (X-Forwarded-Proto:
https, cookies kept, the CSRF token from the login form, TOTP codes for staff): each role
signs in and opens its home page; /healthz answers ok; a task round-trips through the
worker; beat's routing sweep reaches the worker; a signed inbound email webhook is stored once
and routed, a forged one refused; the email pages open. Exit 0 when all of that holds.

    .venv/bin/python .ci/prod_smoke.py

Every service is named by the environment (defaults: CI's): SMOKE_DATABASE (a database name,
dropped and created on 127.0.0.1:5432 as postgres), SMOKE_BROKER_URL, SMOKE_REDIS_URL (the
base, /<db> appended: SMOKE_CACHE_DB, SMOKE_RESULT_DB).
"""

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"
DATABASE = os.environ.get("SMOKE_DATABASE", "homeshore_smoke")
BROKER = os.environ.get("SMOKE_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
REDIS = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")
CACHE_DB = os.environ.get("SMOKE_CACHE_DB", "3")
RESULT_DB = os.environ.get("SMOKE_RESULT_DB", "4")

# One login per role, the page it lands on, and text of its real (seeded) content.
ROLES = [
    ("agent", "meera@agents.example", "/agent/", ("Meera", "Acme Insurance")),
    ("firm client", "client@acme-insurance.example", "/client/", ("Acme Insurance",)),
    (
        "vetting",
        "vetting@homeshore.example",
        "/staff/vetting/",
        ("<h1>Vetting</h1>", "Lakshmi Rao"),
    ),
    (
        "finance",
        "finance@homeshore.example",
        "/staff/finance/",
        ("<h1>Settlements</h1>", "badge badge-done"),
    ),
    ("admin", "admin@homeshore.example", "/staff/", ("<h1>Agency staff</h1>",)),
    ("team lead", "lead.kochi@homeshore.example", "/lead/", ("Kochi Coast", "Meera Shenoy")),
]
# More pages a signed-in user opens after their home (a TOTP code is good for one sign-in).
MORE_PAGES = {
    # Email (issue 18): the agent's inbox, the firm's sent campaign, the staff's escalations.
    "meera@agents.example": [("/agent/email/", ("<h1>Email</h1>",))],
    "client@acme-insurance.example": [
        ("/client/email-campaigns/", ("Renewal reminder, December",)),
        ("/client/email/", ("Premium receipt",)),
    ],
    "admin@homeshore.example": [("/staff/email/", ("Cashless approval pending",))],
}
PASSWORD = "homeshore-demo"  # accounts.demo.DEMO_PASSWORD
STAFF = {"vetting", "finance", "admin", "team lead"}  # who signs in with TOTP


def say(message: str) -> None:
    print(f"[smoke {time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


class SmokeFailed(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailed(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(work: Path, port: int) -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CELERY_", "DATABASE_", "CACHE_", "REQUIRE_", "SENTRY"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        PORTAL_URL="https://portal.homeshore.example",  # campaign mail's links (mailroom.W001)
        DJANGO_STATIC_ROOT=str(work / "static"),
        PRIVATE_MEDIA_ROOT=str(work / "private_media"),
        REFDATA_DIR=str(work / "refdata"),  # built from nothing, as on a new machine
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        TWILIO_AUTH_TOKEN=secrets.token_hex(16),
        ANYMAIL_WEBHOOK_SECRET=f"hooks:{secrets.token_hex(12)}",
        MAILGUN_WEBHOOK_SIGNING_KEY=secrets.token_hex(16),
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        CELERY_BROKER_URL=BROKER,
        CELERY_RESULT_BACKEND=f"{REDIS}/{RESULT_DB}",
        CACHE_URL=f"{REDIS}/{CACHE_DB}",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
        LOG_LEVEL="INFO",
    )
    return env


def run(env: dict, *args: str, timeout: int = 300) -> str:
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603 (our own commands with fixed arguments)
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    took = time.monotonic() - started
    if result.returncode != 0:
        raise SmokeFailed(
            f"{' '.join(args[1:3])} exited {result.returncode} after {took:.0f} s:\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    say(f"{' '.join(a for a in args[1:4] if not a.startswith('-'))}: ok in {took:.1f} s")
    return result.stdout + result.stderr


def fresh_database() -> None:
    for statement in (
        f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)',
        f'CREATE DATABASE "{DATABASE}"',
    ):
        subprocess.run(  # noqa: S603 (a fixed statement; the name is our own setting)
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qAt", "-c", statement],  # noqa: S607
            check=True,
            timeout=60,
        )
    say(f"database {DATABASE}: fresh")


@contextmanager
def service(name: str, env: dict, logs: Path, *args: str):
    """A long-running process in its own session, stopped (SIGTERM, then SIGKILL) after."""
    log = logs / f"{name}.log"
    with open(log, "w") as out:
        process = subprocess.Popen(  # noqa: S603 (our own commands with fixed arguments)
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process, log
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_for(what: str, ready, *, timeout: float = 60, processes=()) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process, log in processes:
            if process.poll() is not None:
                raise SmokeFailed(f"{log.stem} exited ({process.returncode}):\n{tail(log)}")
        try:
            if ready():
                return
        except (requests.ConnectionError, OSError):
            pass
        time.sleep(0.5)
    raise SmokeFailed(f"timed out waiting for {what}")


def tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


class Browser:
    """A browser's requests as the TLS proxy passes them on: X-Forwarded-Proto: https, and
    the cookies it keeps. Django marks them Secure in production, and requests (like any
    cookie jar) would never send a Secure cookie over our plain http, so they are kept here
    and sent by hand."""

    def __init__(self, base: str):
        self.base = base
        self.public = "https://" + urlsplit(base).netloc
        self.cookies: dict[str, str] = {}

    def _url(self, path: str) -> str:
        parts = urlsplit(path)  # a Location may be absolute (https://host/…): keep its path
        return self.base + parts.path + (f"?{parts.query}" if parts.query else "")

    def _send(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"X-Forwarded-Proto": "https", **kwargs.pop("headers", {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = requests.request(
            method, self._url(path), headers=headers, allow_redirects=False, timeout=30, **kwargs
        )
        for cookie in response.cookies:
            if cookie.value and not cookie.is_expired():
                self.cookies[cookie.name] = cookie.value
            else:
                self.cookies.pop(cookie.name, None)
        return response

    def get(self, path: str) -> requests.Response:
        response = self._send("GET", path)
        for _ in range(10):
            if response.status_code not in (301, 302, 303, 307, 308):
                return response
            response = self._send("GET", response.headers["Location"])
        raise SmokeFailed(f"too many redirects from {path}")

    def post_form(self, path: str, data: dict) -> requests.Response:
        """POST a form as the browser would: the CSRF token from the page's own form, the
        Origin and Referer an https page sends (Django checks them on secure requests)."""
        page = self.get(path)
        check(page.status_code == 200, f"GET {path}: {page.status_code}")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        check(token is not None, f"no CSRF token in the form at {path}")
        response = self._send(
            "POST",
            path,
            data={"csrfmiddlewaretoken": token.group(1), **data},
            headers={"Origin": self.public, "Referer": self.public + path},
        )
        check(response.status_code in (200, 302), f"POST {path}: {response.status_code}")
        return response


def totp_now(secret: str) -> str:
    """The code an authenticator app shows now, by allauth's own helpers."""
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def sign_in_and_open_home(base: str, role: str, email: str, home: str, markers: tuple) -> None:
    from accounts.demo import DEMO_TOTP_SECRET

    browser = Browser(base)
    response = browser.post_form("/accounts/login/", {"login": email, "password": PASSWORD})
    check(response.status_code == 302, f"{role}: the login form was shown again")
    if role in STAFF:
        check(
            urlsplit(response.headers["Location"]).path == "/accounts/2fa/authenticate/",
            f"{role}: no two-factor step after the password",
        )
        response = browser.post_form(
            "/accounts/2fa/authenticate/", {"code": totp_now(DEMO_TOTP_SECRET)}
        )
        check(response.status_code == 302, f"{role}: the TOTP code was refused")
    for path, expected in [(home, markers), *MORE_PAGES.get(email, [])]:
        page = browser.get(path)
        check(page.status_code == 200, f"{role}: {path} answered {page.status_code}")
        check(urlsplit(page.url).path == path, f"{role}: landed on {page.url}, not {path}")
        missing = [m for m in expected if m not in page.text]
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text.split("<main", 1)[-1]))
        check(not missing, f"{role}: {path} lacks {missing}; it reads: {text[:1500]}")
        say(f"{role}: signed in, {path} 200 with {', '.join(expected)}")


def inbound_email(base: str) -> None:
    """A mail provider's inbound webhook through gunicorn (Mailgun's, signed, as anymail
    checks it): stored once though posted twice, routed to an engaged agent at once; an
    unsigned one refused with 400 and nothing stored."""
    import hashlib
    import hmac

    from mailroom.models import Message

    url = base + "/mail/anymail/mailgun/inbound_mime/"
    message_id = f"smoke-{secrets.token_hex(6)}@example.net"
    raw = (
        "From: Asha Menon <asha.smoke@example.net>\r\nTo: claims@acme-insurance.example\r\n"
        f"Subject: Smoke claim\r\nMessage-ID: <{message_id}>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Hello, when will my hospital claim be paid? I sent the papers last week.\r\n"
    )
    timestamp, token = str(int(time.time())), secrets.token_hex(25)
    key = os.environ["MAILGUN_WEBHOOK_SIGNING_KEY"].encode()
    signature = hmac.new(key, f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    form = {
        "body-mime": raw,
        "recipient": "claims@acme-insurance.example",
        "sender": "asha.smoke@example.net",
        "timestamp": timestamp,
        "token": token,
        "signature": signature,
    }
    user, password = os.environ["ANYMAIL_WEBHOOK_SECRET"].split(":", 1)
    headers = {"X-Forwarded-Proto": "https"}
    for _ in range(2):  # a provider's retry stores nothing twice
        answer = requests.post(url, data=form, auth=(user, password), headers=headers, timeout=30)
        check(answer.status_code == 200, f"inbound webhook answered {answer.status_code}")
    forged = {**form, "signature": "0" * 64, "body-mime": raw.replace(message_id, "forged")}
    answer = requests.post(url, data=forged, auth=(user, password), headers=headers, timeout=30)
    check(answer.status_code == 400, f"a forged inbound webhook answered {answer.status_code}")
    stored = Message.objects.filter(message_id=message_id).select_related("conversation")
    check(stored.count() == 1, f"the inbound message was stored {stored.count()} times")
    conversation = stored.get().conversation
    check(conversation.agent_id is not None, "the inbound conversation reached no agent")
    check(not Message.objects.filter(message_id="forged").exists(), "the forged one was stored")
    say("inbound email: signed webhook stored once and routed; a forged one refused (400)")


def static_files_served(base: str) -> None:
    browser = Browser(base)
    landing = browser.get("/")
    check(landing.status_code == 200, f"/ answered {landing.status_code}")
    css = re.search(r'href="(/static/vendor/pico/pico\.min\.[0-9a-f]{12}\.css)"', landing.text)
    check(css is not None, "the landing page does not link the hashed stylesheet")
    served = browser.get(css.group(1))
    check(served.status_code == 200, f"{css.group(1)}: {served.status_code}")
    check("max-age=315360000" in served.headers.get("Cache-Control", ""), "not cached forever")
    say(f"static: {css.group(1)} served by whitenoise, cached for ever")


def health(base: str) -> None:
    response = requests.get(base + "/healthz", allow_redirects=False, timeout=30)
    check(response.status_code == 200, f"/healthz answered {response.status_code}")
    check(
        response.json() == {"status": "ok", "database": "ok", "broker": "ok"},
        f"/healthz: {response.text}",
    )
    say(f"/healthz: {response.json()}")


def task_round_trip() -> None:
    from config.celery import ping

    started = time.monotonic()
    result = ping.delay()
    check(result.get(timeout=30) == "pong", "homeshore.ping did not answer pong")
    say(f"celery: homeshore.ping -> pong via {result.worker} in {time.monotonic() - started:.2f} s")


def beat_reaches_the_worker(beat_log: Path, worker_log: Path) -> None:
    """routing.sweep is due every 10 s: beat sends it, the worker runs it."""

    def swept() -> bool:
        return "routing-sweep" in beat_log.read_text() and re.search(
            r"routing\.sweep\[[0-9a-f-]+\] succeeded", worker_log.read_text()
        )

    wait_for("beat's routing sweep to run on the worker", swept, timeout=40)
    say("beat: routing-sweep sent, and run by the worker")


def json_logs(log: Path, *, only: bool) -> None:
    """Log lines are JSON objects (`only`: every line; else past Celery's start-up banner)."""
    lines = [ln for ln in log.read_text().splitlines() if ln.strip()]
    if not only:
        lines = [ln for ln in lines if ln.startswith("{")]
    check(bool(lines), f"{log.name}: no log lines")
    for line in lines:
        try:
            json.loads(line)
        except ValueError:
            raise SmokeFailed(f"{log.name}: not a JSON line: {line[:200]}") from None
    say(f"{log.name}: {len(lines)} lines, each a JSON object")


def smoke(work: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = environment(work, port)
    os.environ.update(env)  # this process is a client too: the ping task, the demo's TOTP
    fresh_database()
    run(env, PYTHON, "manage.py", "migrate", "--noinput")
    run(env, PYTHON, "manage.py", "collectstatic", "--noinput", "-v0")
    run(env, PYTHON, "manage.py", "refdata_build")
    out = run(env, PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    check("System check identified no issues" in out, f"check --deploy:\n{out}")

    logs = work / "logs"
    logs.mkdir()
    with ExitStack() as stack:
        web = stack.enter_context(
            service("gunicorn", env, logs, str(BIN / "gunicorn"), "-c", "config/gunicorn.conf.py")
        )
        worker = stack.enter_context(
            service(
                "worker",
                env,
                logs,
                str(BIN / "celery"),
                "--app",
                "config",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
                "--hostname",
                f"smoke-{os.getpid()}@%h",
            )
        )
        beat = stack.enter_context(
            service(
                "beat",
                env,
                logs,
                str(BIN / "celery"),
                "--app",
                "config",
                "beat",
                "--loglevel",
                "INFO",
            )
        )
        processes = [web, worker, beat]
        try:
            # Seeded with the worker up: the demo's calls publish their wrap-up tasks.
            # The demo's calls go through the webhooks in-process, to Django's test host.
            seeding = {**env, "DJANGO_ALLOWED_HOSTS": env["DJANGO_ALLOWED_HOSTS"] + ",testserver"}
            seeded = run(seeding, PYTHON, "manage.py", "seed_demo", timeout=600)
            simulated = re.search(r"Simulated \d+ calls — .*", seeded)
            check(
                simulated is not None and "completed" in simulated.group(0),
                f"no demo calls:\n{seeded[-3000:]}",
            )
            say(f"seed_demo: {simulated.group(0)}")
            # Straight to gunicorn, as a load balancer's probe: /healthz is exempt from
            # the https redirect (SECURE_REDIRECT_EXEMPT).
            wait_for(
                "gunicorn",
                lambda: (
                    requests.get(base + "/healthz", allow_redirects=False, timeout=5).status_code
                    in (200, 503)
                ),
                processes=processes,
            )
            django_setup()
            health(base)
            task_round_trip()
            static_files_served(base)
            inbound_email(base)
            for role in ROLES:
                sign_in_and_open_home(base, *role)
            beat_reaches_the_worker(beat[1], worker[1])
            json_logs(web[1], only=True)
            json_logs(worker[1], only=False)
        except BaseException:
            for _, log in processes:
                print(f"\n---- {log.name} (last lines)\n{tail(log)}", file=sys.stderr)
            raise


def django_setup() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()


def main() -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="homeshore-smoke-") as work:
        try:
            smoke(Path(work))
        except SmokeFailed as failure:
            print(f"\nPRODUCTION SMOKE FAILED: {failure}", file=sys.stderr)
            return 1
    say(f"production smoke passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
