"""Settlement runs survive their infrastructure: real Celery workers on PostgreSQL, each test
taking one piece away mid-run and checking that the run ends done (or failed, visibly) with
totals equal to an independent SQL sum of the period's ledger — never stuck "running".

- A worker SIGKILLed mid-run (parent and pool child: a lost machine, an OOM-killed cgroup),
  its message left where no worker will get it again: the sweep finds the expired lease and
  queues the run again; the suite's worker finishes it.
- The broker down when finance starts a run: the page says the run is queued but not sent;
  with the broker back, the sweep sends the run that never started, and a worker finishes it.
  (The test's own redis-server as the broker, whatever the suite's broker is.)
- The database cut mid-run (a TCP proxy between the worker and PostgreSQL resets every
  connection and refuses new ones): the run retries with backoff while it is away and
  finishes once it is back.

Leases, backoff and the sweep's patience are shortened for the workers through their
environment (SETTLEMENT_* settings); the production values are minutes.
"""

import contextlib
import datetime as dt
import os
import signal
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from billing.models import Payout, SettlementLock, SettlementRun
from billing.settlement import run_open
from billing.tasks import new_task_id, settlement_execute_task, settlements_sweep_task
from common.models import AuditRecord
from config.celery import app
from tests.billing.faults import PrivateRedis, TcpProxy, publishing_to
from tests.billing.test_settlement_on_postgres import (
    alive,
    expected_total,
    ledger_seed,
    payouts_actual,
    payouts_expected,
    table_locked,
    wait_until,
    waiting_on,
)
from tests.billing.test_settlement_worker import (
    database_url,
    isolated_keys,
    queue_for,
    wait_for_ping,
    worker,
)

pytestmark = [
    pytest.mark.broker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]
TRANSACTIONS = 120


@pytest.fixture(autouse=True)
def locks(db):
    for kind in SettlementRun.Kind.values:  # a transactional test's flush empties the table
        SettlementLock.objects.get_or_create(kind=kind)


def ledger_sums(run: SettlementRun) -> tuple[Decimal, int]:
    """The period's agent amounts plus adjustments, and its count of transactions, in SQL
    of its own: what the run's total and count must be."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(agent_amount), 0), COUNT(*) FROM billing_transaction"
            " WHERE agent_period = %s",
            [run.period_start],
        )
        amounts, count = cursor.fetchone()
        cursor.execute(
            "SELECT COALESCE(SUM(amount), 0) FROM billing_adjustment"
            " WHERE period = %s AND agent_id IS NOT NULL",
            [run.period_start],
        )
        (adjusted,) = cursor.fetchone()
    return amounts + adjusted, count


def assert_settled_once(run: SettlementRun) -> SettlementRun:
    stored = SettlementRun.objects.get(pk=run.pk)
    total, count = ledger_sums(run)
    assert (stored.status, stored.total, stored.transactions) == ("done", total, count)
    assert stored.total == expected_total(run)  # and the Decimal reference agrees
    assert payouts_actual(run) == payouts_expected(run.period_start)
    assert AuditRecord.objects.about(run).filter(action="run_done").count() == 1
    return stored


def status_of(run: SettlementRun) -> str:
    return SettlementRun.objects.values_list("status", flat=True).get(pk=run.pk)


def queued(run: SettlementRun, *, queue: str) -> str:
    """Send the run's task to `queue` as run_start does: task id and queue time first."""
    task_id = new_task_id()
    SettlementRun.objects.filter(pk=run.pk).update(task_id=task_id, queued_at=timezone.now())
    settlement_execute_task.apply_async((run.pk,), task_id=task_id, queue=queue)
    return task_id


def queue_delete(name: str) -> None:
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        with contextlib.suppress(Exception):  # never declared: nothing to remove
            channel.queue_delete(name)


def test_a_worker_killed_mid_run_is_swept_back_and_another_worker_finishes_it(
    celery_worker,
):
    ledger = ledger_seed(transactions=TRANSACTIONS)
    run = run_open(kind="agents", day=ledger.day)
    queue = queue_for("swept")
    try:
        # A lease of 3 s for the doomed worker; its queue is its own, so once it is dead its
        # unacked message is redelivered to nobody (RabbitMQ puts it back on that queue,
        # Redis keeps it under the worker's own unacked key): only the sweep can save it.
        env = {"SETTLEMENT_LEASE_SECONDS": "3"}
        with worker(
            "swept", queue=queue, pool="prefork", options=isolated_keys("swept"), env=env
        ) as (process, hostname):
            with table_locked("billing_payout") as holder:
                lost_task = queued(run, queue=queue)
                [victim] = wait_until(lambda: waiting_on(holder), what="the task is mid-run")
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            wait_until(lambda: not alive(victim), what="the killed worker's backend ends")

        stranded = SettlementRun.objects.get(pk=run.pk)
        assert (stranded.status, stranded.attempts, stranded.task_id) == (
            "running",
            1,
            lost_task,
        )
        assert stranded.lease_holder.startswith(f"{hostname} pid ")
        assert not Payout.objects.filter(run=run).exists()  # rolled back
        wait_until(
            lambda: SettlementRun.objects.get(pk=run.pk).lease_expires_at < timezone.now(),
            what="the dead worker's lease expires",
            timeout=10,
        )

        settlements_sweep_task.delay()  # as beat sends it, every minute
        wait_until(lambda: status_of(run) == "done", what="another worker settles it", timeout=60)
    finally:
        queue_delete(queue)

    stored = assert_settled_once(run)
    assert (stored.requeues, stored.attempts) == (1, 2)
    assert stored.task_id != lost_task
    assert stored.lease_holder.startswith("pytest-")  # the suite's worker
    assert stored.lease_expires_at is None  # released when done


def test_a_run_started_while_the_broker_is_down_is_sent_again_once_it_is_back(
    client,
    fiona,
    tmp_path: Path,
):
    ledger = ledger_seed(transactions=TRANSACTIONS)
    with PrivateRedis() as broker:
        env = {
            "CELERY_BROKER_URL": broker.url,
            "CELERY_RESULT_BACKEND": broker.url,
            "SETTLEMENT_START_WITHIN_SECONDS": "2",
        }
        log = tmp_path / "worker.log"
        with worker("unsent", queue=app.conf.task_default_queue, env=env, log=log) as (
            process,
            hostname,
        ):
            broker.stop()
            client.force_login(fiona)
            with publishing_to(broker.url):
                response = client.post(
                    reverse("finance:home"), {"kind": "agents", "day": ledger.day}, follow=True
                )
            page = response.content.decode()
            assert "the task queue cannot be reached just now" in page
            run = SettlementRun.objects.get()
            assert (run.status, run.attempts) == ("pending", 0)
            assert run.queued_at is not None and run.task_id
            assert "Queued" in page and "waiting for a worker" in page

            broker.start()  # empty: the message was never there
            try:
                wait_for_ping(hostname, process, broker=broker.url)  # reconnected
            finally:
                print(log.read_text())
            lost_after = run.queued_at + dt.timedelta(seconds=2)
            wait_until(lambda: timezone.now() > lost_after, what="the run counts as lost")
            with publishing_to(broker.url):
                settlements_sweep_task.apply_async(ignore_result=True)  # beat, once
            wait_until(lambda: status_of(run) == "done", what="the run is settled", timeout=60)

    stored = assert_settled_once(run)
    assert (stored.requeues, stored.attempts) == (1, 1)
    assert stored.lease_holder.startswith(f"{hostname} pid ")


def test_a_run_whose_database_is_cut_mid_run_retries_and_finishes_when_it_is_back(
    tmp_path: Path,
):
    ledger = ledger_seed(transactions=TRANSACTIONS)
    run = run_open(kind="agents", day=ledger.day)
    s = connection.settings_dict
    proxy = TcpProxy((s["HOST"] or "127.0.0.1", int(s["PORT"] or 5432)))
    queue = queue_for("cut")
    log = tmp_path / "worker.log"
    through_proxy = database_url().replace(f":{s['PORT'] or 5432}/", f":{proxy.port}/")
    env = {
        "DATABASE_URL": through_proxy,
        "SETTLEMENT_RETRY_BASE_SECONDS": "0.5",
        "SETTLEMENT_RETRY_CAP_SECONDS": "1",
        "SETTLEMENT_RETRY_JITTER": "0",
        "SETTLEMENT_RETRY_MAX": "20",
    }
    try:
        with worker("cut", queue=queue, env=env, log=log):
            with table_locked("billing_payout") as holder:
                task_id = queued(run, queue=queue)
                [victim] = wait_until(lambda: waiting_on(holder), what="the task is mid-run")
                proxy.cut()  # the worker's connection is reset; new ones are refused
            wait_until(lambda: not alive(victim), what="the cut backend rolls back")
            wait_until(
                lambda: log.read_text().count("Database error; retry") >= 3,
                what="the worker retries while the database is away",
            )
            assert status_of(run) == "running" and not Payout.objects.filter(run=run).exists()
            proxy.restore()
            wait_until(lambda: status_of(run) == "done", what="the run is settled", timeout=60)
    finally:
        proxy.close()
        queue_delete(queue)

    stored = assert_settled_once(run)
    assert stored.task_id == task_id  # the same task, retried: not a second one
    assert stored.attempts == 2  # claims that reached the database: before and after
    assert stored.requeues == 0
    assert "retry 3 of 20" in log.read_text()
