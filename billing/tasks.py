"""Settlement as Celery tasks. A task takes ids, claims, executes; safe to run twice.

- `acks_late` + `reject_on_worker_lost`: a worker killed mid-run leaves the message unacked,
  the broker redelivers it, and the redelivery (the same task id) takes the lease again and
  executes the run from the start (the dead attempt's transaction rolled back).
- A message lost for good (the broker lost it, a publish that failed, a worker gone with
  its lease): the sweep (`billing.settlements_sweep`, beat every minute) sends the run again.
- Transient database errors (a lost connection, a restart, a lock timeout) retry with
  exponential backoff over minutes (`retry_delay`), then the run fails with the reason.
  Other errors fail the run at once, with the reason; nothing is retried blindly.
"""

import contextlib
import datetime as dt
import logging
import os
import random
import socket
import uuid

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.utils import timezone

from billing import settlement
from common.enqueue import UNAVAILABLE, enqueue
from common.errors import ServiceUnavailableError

logger = logging.getLogger(__name__)
# Lock timeouts, deadlocks, a cancelled statement and a dropped connection all reach us as
# OperationalError (psycopg2's LockNotAvailable, QueryCanceled, TransactionRollbackError
# are its subclasses); a connection already closed is InterfaceError.
TRANSIENT = (OperationalError, InterfaceError)


def retry_delay(retries: int, *, rng: random.Random | None = None) -> float:
    """Seconds before retry number `retries` + 1: base x 2^retries, capped, +- jitter (so
    the runs a database outage interrupted do not all come back in the same second)."""
    base, cap = settings.SETTLEMENT_RETRY_BASE_SECONDS, settings.SETTLEMENT_RETRY_CAP_SECONDS
    delay = min(cap, base * 2**retries)
    return delay * (1 + settings.SETTLEMENT_RETRY_JITTER * (rng or random).uniform(-1, 1))


def _holder(task) -> str:
    host = task.request.hostname or socket.gethostname()
    return f"{host} pid {os.getpid()} task {task.request.id}"


def _reason(error: BaseException) -> str:
    return f"{type(error).__name__}: {str(error).strip() or 'no message'}"


def _drop_broken_connections() -> None:
    """A connection the error broke is dropped, so the next query connects again. Not inside
    a transaction (eager, under a caller's atomic block): that is the caller's to end."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


def _fail(run_id: int, reason: str, *, task_id: str) -> None:
    try:
        settlement.run_failed(run_id=run_id, reason=reason, task_id=task_id)
    except TRANSIENT:
        # The database is still away: the run keeps its lease, which expires, and the sweep
        # takes it back once the database answers again.
        logger.exception("Run %s could not be marked failed: %s", run_id, reason)


@shared_task(
    bind=True,
    name="billing.settlement_execute",
    acks_late=True,
    reject_on_worker_lost=True,
)
def settlement_execute_task(self, run_id: int) -> dict:
    def report(percent: int, step: str) -> None:
        if not self.request.is_eager:
            self.update_state(state="PROGRESS", meta={"progress": percent, "step": step})

    try:
        settlement.run_claim(run_id=run_id, holder=_holder(self), task_id=self.request.id or "")
        run = settlement.run_execute(run_id=run_id, report=report)
    except settlement.LeaseHeld as held:
        logger.info("Run %s left alone: %s", run_id, held.message)
        return {"run": run_id, "skipped": held.message}
    except TRANSIENT as error:
        return _retry_or_fail(self, run_id, error)
    except Exception as error:
        logger.exception("Settlement run %s failed", run_id)
        _fail(run_id, _reason(error), task_id=self.request.id or "")
        return {"run": run_id, "failed": _reason(error)}
    return {"run": run.pk, "total": str(run.total), "transactions": run.transactions}


def _retry_or_fail(task, run_id: int, error: Exception) -> dict:
    retries, most = task.request.retries, settings.SETTLEMENT_RETRY_MAX
    _drop_broken_connections()
    if retries >= most:
        reason = f"The database failed {retries + 1} times in a row; gave up. {_reason(error)}"
        logger.error("Settlement run %s: %s", run_id, reason)
        _fail(run_id, reason, task_id=task.request.id or "")
        return {"run": run_id, "failed": reason}
    countdown = retry_delay(retries)
    retry_at = timezone.now() + dt.timedelta(seconds=countdown)
    step = (
        f"Database error; retry {retries + 1} of {most} at {timezone.localtime(retry_at):%H:%M:%S}"
    )
    logger.warning("Settlement run %s: %s (%s)", run_id, step, _reason(error))
    # The database still away: the claim's lease stands, and the sweep is the backstop.
    with contextlib.suppress(*TRANSIENT):
        settlement.run_retry_wait(
            run_id=run_id, task_id=task.request.id or "", retry_at=retry_at, step=step
        )
    if task.request.is_eager:
        # Eager (the embedded default, and tests): no broker holds a countdown, and Celery's
        # eager retry re-raises where eager errors propagate. Retry inline, now.
        return task.apply(args=[run_id], task_id=task.request.id, retries=retries + 1).get()
    raise task.retry(exc=error, countdown=countdown, max_retries=most)


@shared_task(name="billing.settlements_sweep", ignore_result=True)
def settlements_sweep_task() -> dict[str, list[int]]:
    """Beat, every minute: runs whose worker died or whose task was lost are sent again."""
    from billing import runs  # runs sends this module's tasks: imported at call time

    return runs.runs_sweep()


@shared_task(name="billing.settlements_due")
def settlements_due_task() -> list[int]:
    """Daily (beat): open runs for periods that ended, and execute them."""
    from billing import runs

    opened = settlement.runs_due()
    for run in opened:
        runs.run_start(run=run)
    return [run.pk for run in opened]


def run_publish(*, run_id: int, task_id: str) -> bool:
    """Send the run's task. False when the broker cannot be reached: the run stays queued
    and the sweep sends it again (SETTLEMENT_START_WITHIN_SECONDS after `queued_at`)."""
    # enqueue turns the broker's outage (kombu's OperationalError) and the Redis result
    # store's (a RuntimeError from Celery) into one ServiceUnavailableError, in seconds.
    try:
        enqueue(settlement_execute_task, args=(run_id,), task_id=task_id)
    except (ServiceUnavailableError, OSError) as error:
        logger.warning("Run %s not sent to the broker: %s", run_id, _reason(error))
        return False
    return True


def new_task_id() -> str:
    return str(uuid.uuid4())


# --- Payout exports (billing.export_jobs) --------------------------------------------------


@shared_task(
    bind=True,
    name="billing.export_build",
    acks_late=True,  # safe to run twice: the claim is a compare-and-set on the export's lease
    reject_on_worker_lost=True,
    ignore_result=True,  # the page follows the export's row, not the task's result
)
def export_build_task(self, export_id: int) -> dict:
    from billing import export_jobs  # export_jobs sends this module's tasks

    task_id = self.request.id or ""
    try:
        return export_jobs.export_build(export_id=export_id, holder=_holder(self), task_id=task_id)
    except TRANSIENT as error:
        # The database went away mid-file: the lease expires and the sweep sends the export
        # again (a new file from the start; the half-written temporary file is gone).
        _drop_broken_connections()
        logger.warning("Export %s interrupted: %s", export_id, _reason(error))
        return {"export": export_id, "interrupted": _reason(error)}
    except Exception as error:
        logger.exception("Export %s failed", export_id)
        with contextlib.suppress(*TRANSIENT):
            export_jobs.export_failed(export_id=export_id, reason=_reason(error), task_id=task_id)
        return {"export": export_id, "failed": _reason(error)}


@shared_task(name="billing.exports_sweep", ignore_result=True)
def exports_sweep_task() -> dict[str, list[int]]:
    """Beat, every minute: exports whose worker died or whose task was lost are sent again."""
    from billing import export_jobs

    return export_jobs.exports_sweep()


@shared_task(name="billing.exports_expire", ignore_result=True)
def exports_expire_task() -> list[int]:
    """Beat, hourly: export files past EXPORT_RETENTION_HOURS are deleted."""
    from billing import export_jobs

    return export_jobs.exports_expire()


def export_publish(*, export_id: int, task_id: str) -> str | None:
    """Send the export's task. None when sent; else common.enqueue's message for the user
    (the export stays queued and the sweep sends it again)."""
    try:
        enqueue(export_build_task, args=(export_id,), task_id=task_id)
    except ServiceUnavailableError as error:
        logger.warning("Export %s not sent to the broker: %s", export_id, _reason(error))
        return error.message
    except OSError as error:
        logger.warning("Export %s not sent to the broker: %s", export_id, _reason(error))
        return UNAVAILABLE
    return None
