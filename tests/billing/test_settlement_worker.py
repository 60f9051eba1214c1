"""`settlement_execute_task` through real Celery workers (RabbitMQ or Redis) on PostgreSQL.

What is proven here, and how:

- two deliveries of the task at the same time settle the run once: the module's worker (the
  `celery_worker` fixture) and a second worker of ours both consume the default queue; a
  table lock from the test holds the first inside its transaction, and the second, finding
  the run's lease held, leaves the run alone meanwhile (it does not wait behind the first);
- a whole worker (parent and pool child) SIGKILLed in the middle of a run loses nothing and
  settles nothing twice: its transaction is rolled back (checked before anything else runs),
  the message was never acked (`acks_late`: RabbitMQ puts it back on its queue when the
  connection drops; Redis keeps it in its unacked set), and a new worker gets it again — at
  once from RabbitMQ, from Redis once the visibility timeout has passed;
- a pool child SIGKILLed (the OOM killer's way) makes its parent requeue the message at once:
  that is what `reject_on_worker_lost` adds (without it the parent would ack the message and
  the run would stay "running" with no payouts).

That test kills a prefork worker, not a solo one, on purpose: in a solo worker the task runs
inside the event loop and even an early ack (no `acks_late`) is only sent once the task
returns, so killing a solo worker mid-task leaves the message unacked either way and would
prove nothing about `acks_late`. With prefork the parent acks early as soon as the child
starts the task; only `acks_late` keeps the message (checked: with `acks_late=False` patched
into the worker, the first assertion on the unacked set fails; with
`reject_on_worker_lost=False`, the pool-child test times out waiting for the redelivery).

Workers of our own consume dedicated queues, and keep their unacked messages under keys of
their own (kombu's `unacked_key`…): a short visibility timeout then only ever restores our
messages, never one that another worker on the same Redis is still running.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection

from billing.models import Payout, SettlementLock, SettlementRun
from billing.settlement import run_open
from billing.tasks import settlement_execute_task
from common.models import AuditRecord
from config.celery import app
from tests.billing.test_settlement_on_postgres import (
    alive,
    expected_total,
    expected_transactions,
    ledger_seed,
    payouts_actual,
    payouts_expected,
    table_locked,
    wait_until,
    waiting_on,
)

pytestmark = [
    pytest.mark.broker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
# Starts a worker like `celery -A config worker …` does, with broker transport options given
# as JSON in argv[1] (settings have no environment variable for them).
LAUNCH = (
    "import json, sys\n"
    "from config.celery import app\n"
    "app.conf.broker_transport_options = json.loads(sys.argv[1])\n"
    "app.worker_main(['worker', *sys.argv[2:]])\n"
)


def database_url() -> str:
    """The test database, for the workers (as the celery_worker fixture does)."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def queue_for(tag: str) -> str:
    return f"settle-{tag}-{os.getpid()}"


def isolated_keys(tag: str) -> dict:
    """Where kombu keeps this worker's delivered-but-unacked messages."""
    name = queue_for(tag)
    return {
        "unacked_key": f"{name}-unacked",
        "unacked_index_key": f"{name}-unacked-index",
        "unacked_mutex_key": f"{name}-unacked-mutex",
    }


@contextmanager
def worker(
    tag: str,
    *,
    queue: str,
    pool: str = "solo",
    options: dict | None = None,
    env: dict | None = None,
    log: Path | None = None,
):
    """A `celery worker` subprocess on the test database, consuming `queue`; yields
    (process, hostname) once it answers a ping, terminates it afterwards (if still alive).
    `env` overrides its environment (another broker, shorter leases and backoff); `log`
    takes its output."""
    hostname = f"settle-{tag}-{os.getpid()}@pytest"
    env = {**os.environ, "DATABASE_URL": database_url(), **(env or {})}
    args = [
        f"--pool={pool}",
        "--concurrency=1",
        "--loglevel=INFO" if log else "--loglevel=WARNING",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "-n",
        hostname,
        "-Q",
        queue,
    ]
    out = log.open("w") if log else None
    process = subprocess.Popen(  # its own process group: killpg reaches its pool children
        [sys.executable, "-c", LAUNCH, json.dumps(options or {}), *args],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=out,
        stderr=out,
    )
    try:
        wait_for_ping(hostname, process, broker=env.get("CELERY_BROKER_URL"))
        yield process, hostname
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if out:
            out.close()


def wait_for_ping(hostname: str, process: subprocess.Popen, *, broker: str | None) -> None:
    """Until the worker answers a ping, over its own broker (which may be the test's: then
    on a new connection each time, never a pooled one that the broker's restart killed)."""
    deadline = time.monotonic() + 60
    while not _ping(hostname, broker):
        assert process.poll() is None, f"worker {hostname} exited ({process.returncode})"
        assert time.monotonic() < deadline, f"worker {hostname} did not answer a ping"


def _ping(hostname: str, broker: str | None) -> list:
    if not broker or broker == settings.CELERY_BROKER_URL:
        return app.control.ping(destination=[hostname], timeout=0.5)
    other = Celery(set_as_current=False)
    # Not `broker=`: the CELERY_BROKER_URL environment variable would win over it.
    other.conf.broker_read_url = other.conf.broker_write_url = broker
    try:
        with other.connection_for_write() as conn:
            return other.control.ping(destination=[hostname], timeout=0.5, connection=conn)
    except OSError:  # redis' ConnectionError is one: the broker is not back yet
        time.sleep(0.2)
        return []


@pytest.fixture
def locks(db):
    for kind in SettlementRun.Kind.values:  # a transactional test's flush empties the table
        SettlementLock.objects.get_or_create(kind=kind)


@pytest.fixture
def broker():
    """The broker, asked how many of a tagged worker's messages wait to be delivered again:
    Redis keeps them in the worker's own unacked hash, RabbitMQ back on the worker's queue.
    Afterwards, our queues (and Redis' keys for them) are removed."""
    client = None
    if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL)

    class Broker:
        @staticmethod
        def undelivered(tag: str) -> int:
            if client is not None:
                return client.hlen(isolated_keys(tag)["unacked_key"])
            with app.connection_for_write() as conn:
                return conn.default_channel.queue_declare(queue_for(tag), passive=True)[1]

    yield Broker()
    for tag in ("killed", "requeued"):
        queue = queue_for(tag)
        if client is not None:
            client.delete(
                *isolated_keys(tag).values(),
                queue,
                f"_kombu.binding.{queue}",
                f"_kombu.binding_permanent.{queue}",
            )
        else:
            with app.connection_for_write() as conn, contextlib.suppress(Exception):
                conn.default_channel.queue_delete(queue)
    if client is not None:
        client.close()


def children_of(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(p) for p in f.read().split()]


def reference(run: SettlementRun) -> dict:
    """What the task returns, from the Decimal reference."""
    return {
        "run": run.pk,
        "total": str(expected_total(run)),
        "transactions": expected_transactions(run),
    }


def assert_settled_once(run: SettlementRun, *, attempts: int | None = None) -> None:
    stored = SettlementRun.objects.get(pk=run.pk)
    assert (stored.status, stored.total) == ("done", expected_total(run))
    assert payouts_actual(run) == payouts_expected(run.period_start)
    assert AuditRecord.objects.about(run).filter(action="run_done").count() == 1
    if attempts is not None:
        assert stored.attempts == attempts


def test_two_deliveries_at_once_settle_the_run_once(celery_worker, locks):
    ledger = ledger_seed()
    run = run_open(kind="agents", day=ledger.day)
    with worker("second", queue=app.conf.task_default_queue):
        with table_locked("billing_payout") as holder:
            results = [settlement_execute_task.delay(run.pk) for _ in range(2)]
            # One delivery is inside run_execute (its INSERT waits on our lock), holding the
            # lease; the other finds the lease held and is done with the run meanwhile.
            wait_until(lambda: waiting_on(holder), what="one delivery is mid-run")
            # A liveness wait, not a speed check: under CI's load (two suites side by side
            # on two cores) the second worker has taken over 30 s to get its message.
            [left] = wait_until(
                lambda: [r for r in results if r.ready()],
                what="the other leaves the run",
                timeout=120,
            )
            assert SettlementRun.objects.get(pk=run.pk).status == "running"
        outcomes = [r.get(timeout=60) for r in results]
        workers = {r.worker for r in results}

    skipped = left.get()
    assert "holds this run's lease until" in skipped["skipped"]
    assert sorted(outcomes, key=len) == sorted([reference(run), skipped], key=len)
    assert len(workers) == 2  # ran on two processes, not one after the other on one
    assert_settled_once(run, attempts=1)
    assert ledger.transactions == reference(run)["transactions"]


def test_a_worker_killed_mid_run_rolls_back_and_the_message_is_redelivered(locks, broker):
    ledger = ledger_seed()
    run = run_open(kind="agents", day=ledger.day)
    queue = queue_for("killed")
    keys = isolated_keys("killed")
    with worker("killed", queue=queue, pool="prefork", options=keys) as (process, _):
        with table_locked("billing_payout") as holder:
            result = settlement_execute_task.apply_async((run.pk,), queue=queue)
            [victim] = wait_until(lambda: waiting_on(holder), what="the task is mid-run")
            # Claimed (its own committed transaction), execution under way: kill the whole
            # worker there, parent and child at once (a lost machine, an OOM-killed cgroup).
            assert SettlementRun.objects.get(pk=run.pk).status == "running"
            assert len(children_of(process.pid)) == 1
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        # Our lock is gone: the dead worker's backend runs its INSERT, finds its client gone
        # and rolls the whole transaction back. Wait for that backend to end.
        wait_until(lambda: not alive(victim), what="the killed worker's backend ends")

    stored = SettlementRun.objects.get(pk=run.pk)
    assert (stored.status, stored.attempts) == ("running", 1)  # claimed once, never done
    assert stored.closed_at is not None
    assert not Payout.objects.filter(run=run).exists()  # rolled back: no payouts at all
    assert not AuditRecord.objects.filter(action="run_done").exists()
    # acks_late: the message was delivered and never acknowledged.
    assert broker.undelivered("killed") == 1

    # A new worker on the queue. RabbitMQ delivers the message again at once; Redis
    # redelivers an unacked message once it is older than the visibility timeout (1 h by
    # default; 5 s here, scanned every second) — the broker's redelivery, not the test's.
    fast = {
        **keys,
        "visibility_timeout": 5,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
    with worker("redelivered", queue=queue, options=fast) as (_, hostname):
        outcome = result.get(timeout=60)
        assert result.worker == hostname

    assert outcome == reference(run)
    assert_settled_once(run, attempts=2)  # claimed again by the redelivery, executed once
    assert broker.undelivered("killed") == 0  # acked this time


def test_a_pool_child_killed_mid_run_is_requeued_by_reject_on_worker_lost(locks, broker):
    ledger = ledger_seed()
    run = run_open(kind="agents", day=ledger.day)
    queue = queue_for("requeued")
    keys = isolated_keys("requeued")  # the default visibility timeout (1 h): no restore
    with worker("requeued", queue=queue, pool="prefork", options=keys) as (process, _):
        with table_locked("billing_payout") as holder:
            result = settlement_execute_task.apply_async((run.pk,), queue=queue)
            [victim] = wait_until(lambda: waiting_on(holder), what="the task is mid-run")
            [child] = children_of(process.pid)
            os.kill(child, signal.SIGKILL)
            # The parent saw its child die and, reject_on_worker_lost, put the message back:
            # the retry is already running in a new child and waits for the dead attempt's
            # run row lock (its backend still waits on our lock; the transaction is open).
            wait_until(lambda: waiting_on(victim), what="the redelivered task waits")
            assert SettlementRun.objects.get(pk=run.pk).status == "running"
            assert not Payout.objects.filter(run=run).exists()
        outcome = result.get(timeout=60)
        assert process.poll() is None  # the same worker ran it again

    assert outcome == reference(run)
    assert_settled_once(run, attempts=2)
    assert broker.undelivered("requeued") == 0
