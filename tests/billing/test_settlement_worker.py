"""`settlement_execute_task` through real Celery workers (RabbitMQ or Redis) on PostgreSQL.

What is proven here, and how:

- two deliveries of the task at the same time settle the run once: the session worker (the
  `celery_worker` fixture) and a second worker of ours both consume the default queue; a
  table lock from the test holds the first inside its transaction until PostgreSQL shows the
  second waiting on it, so the two really overlap;
- a whole worker (parent and pool child) SIGKILLed in the middle of a run loses nothing and
  settles nothing twice: its transaction is rolled back (checked before anything else runs),
  the message was never acked (`acks_late`: the broker still holds it — RabbitMQ back in the
  queue the moment the dead worker's connection closed, Redis in its unacked set), and a new
  worker gets it again (from Redis once the visibility timeout has passed);
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

Workers of our own consume dedicated queues, deleted afterwards; on Redis they keep their
unacked messages under keys of their own (kombu's `unacked_key`…): a short visibility timeout
then only ever restores our messages, never one that another worker on the same Redis is
still running. RabbitMQ needs none of that: it redelivers as soon as the consumer is gone.
"""

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from billing.models import Payout, SettlementLock, SettlementRun
from billing.settlement import run_open
from billing.tasks import settlement_execute_task
from common.models import AuditRecord
from config.celery import app
from tests.billing.test_settlement_on_postgres import (
    alive,
    chain_under,
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


def on_redis() -> bool:
    return settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://"))


def isolated_keys(tag: str) -> dict:
    """Where kombu keeps this worker's delivered-but-unacked messages (Redis only)."""
    if not on_redis():
        return {}
    name = queue_for(tag)
    return {
        "unacked_key": f"{name}-unacked",
        "unacked_index_key": f"{name}-unacked-index",
        "unacked_mutex_key": f"{name}-unacked-mutex",
    }


@contextmanager
def worker(tag: str, *, queue: str, pool: str = "solo", options: dict | None = None):
    """A `celery worker` subprocess on the test database, consuming `queue`; yields
    (process, hostname) once it answers a ping, terminates it afterwards (if still alive)."""
    hostname = f"settle-{tag}-{os.getpid()}@pytest"
    env = dict(os.environ, DATABASE_URL=database_url())
    args = [
        f"--pool={pool}",
        "--concurrency=1",
        "--loglevel=WARNING",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "-n",
        hostname,
        "-Q",
        queue,
    ]
    process = subprocess.Popen(  # its own process group: killpg reaches its pool children
        [sys.executable, "-c", LAUNCH, json.dumps(options or {}), *args],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[hostname], timeout=0.5):
            assert process.poll() is None, f"worker {hostname} exited ({process.returncode})"
            assert time.monotonic() < deadline, f"worker {hostname} did not answer a ping"
        yield process, hostname
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def locks(db):
    for kind in SettlementRun.Kind.values:  # a transactional test's flush empties the table
        SettlementLock.objects.get_or_create(kind=kind)


class Broker:
    """What the broker holds of our queues' messages, on RabbitMQ or Redis."""

    def held(self, tag: str) -> int:
        """Messages of `tag`'s queue the broker keeps for a redelivery: on RabbitMQ in the
        queue (a dead consumer's unacked ones go back at once), on Redis in the worker's
        unacked set (until the visibility timeout restores them)."""
        if on_redis():
            import redis

            with redis.Redis.from_url(settings.CELERY_BROKER_URL) as client:
                return client.hlen(isolated_keys(tag)["unacked_key"])
        with app.connection_for_write() as conn:
            declared = conn.default_channel.queue_declare(queue_for(tag), passive=True)
            return declared.message_count

    def remove(self, tag: str) -> None:
        queue = queue_for(tag)
        # Never declared, when the test failed before: nothing to delete.
        with app.connection_for_write() as conn, suppress(*conn.channel_errors):
            conn.default_channel.queue_delete(queue)
        if on_redis():
            import redis

            with redis.Redis.from_url(settings.CELERY_BROKER_URL) as client:
                client.delete(
                    *isolated_keys(tag).values(),
                    queue,
                    f"_kombu.binding.{queue}",
                    f"_kombu.binding_permanent.{queue}",
                )


@pytest.fixture
def broker():
    """The broker; afterwards our queues (and, on Redis, their unacked keys) are removed."""
    yield Broker()
    for tag in ("killed", "requeued"):
        Broker().remove(tag)


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
            # One worker is inside run_execute (run row locked, its INSERT waiting on our
            # lock); the other waits on that run row: both deliveries are in flight at once.
            wait_until(lambda: chain_under(holder), what="one worker waits on the other")
        outcomes = [r.get(timeout=60) for r in results]
        workers = {r.worker for r in results}

    assert outcomes == [reference(run), reference(run)]
    assert len(workers) == 2  # ran on two processes, not one after the other on one
    assert_settled_once(run)
    assert ledger.transactions == outcomes[0]["transactions"]


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
    assert broker.held("killed") == 1

    # A new worker on the queue. RabbitMQ delivers the requeued message at once; Redis
    # redelivers an unacked message once it is older than the visibility timeout (1 h by
    # default; 5 s here, scanned every second) — either way the broker's redelivery, not a
    # re-send from the test.
    fast = keys and {
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
    assert broker.held("killed") == 0  # acked this time


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
    assert broker.held("requeued") == 0
