"""A settlement run on its infrastructure: queued, taken back when lost, restarted by finance.

- `run_start`: a new task id and the queue time are stored, then the task is sent. A broker
  that cannot be reached leaves the run queued; the sweep sends it again.
- `runs_sweep` (beat, every minute): a running run whose lease expired (its worker was
  killed, ran out of memory, lost its machine) and a queued run whose task never started
  (the broker lost the message, publishing failed) are queued again with a new task id, at
  most SETTLEMENT_MAX_REQUEUES times; then the run fails with the reason.
- `run_restart` (finance): a failed run, a run whose lease has expired, or a run queued too
  long without starting is queued again, audited. A run a worker holds is refused.

Re-running is always safe: execution is one transaction that writes a period's rows once
(billing.settlement), so a run sent twice never pays twice.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone

from accounts.models import User
from billing import leases
from billing.models import SettlementRun
from billing.settlement import run_failed
from billing.tasks import new_task_id, run_publish
from common.audit import audit_log
from common.errors import ConflictError
from common.models import AuditAction

logger = logging.getLogger(__name__)
Status = SettlementRun.Status
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: NOWAIT found the row locked


def start_within() -> dt.timedelta:
    return dt.timedelta(seconds=settings.SETTLEMENT_START_WITHIN_SECONDS)


def run_start(*, run: SettlementRun) -> bool:
    """Queue the run's execution. The task id is stored before the task is sent: the page
    follows that task's progress, and a lost task is recognised by its queue time.
    False when the broker could not be reached (the run stays queued; the sweep resends)."""
    task_id = new_task_id()
    SettlementRun.objects.filter(pk=run.pk).update(task_id=task_id, queued_at=timezone.now())
    run.task_id = task_id
    return run_publish(run_id=run.pk, task_id=task_id)


# A run is pending (queued) until a worker takes its lease: billing.leases' rule of "lost".
STATES = {"running": Status.RUNNING, "queued": Status.PENDING}


def lost_because(run: SettlementRun, *, now: dt.datetime) -> str | None:
    """Why the run looks lost (no worker will finish it), or None while it is in hand."""
    return leases.lost_reason(run, now=now, start_within=start_within(), **STATES)


def restart_refusal(run: SettlementRun, *, now: dt.datetime) -> str | None:
    """Why finance may not restart the run now, or None when it may."""
    if run.status == Status.DONE:
        return "This run is done: a settled period is never settled again."
    if run.status == Status.FAILED or lost_because(run, now=now):
        return None
    if run.status == Status.RUNNING:
        until = leases.moment_label(run.lease_expires_at)
        return (
            f"This run is running on {run.lease_holder or 'a worker'} (attempt {run.attempts}, "
            f"lease until {until}): it cannot be restarted while a worker "
            "holds it. If that worker is gone, the run can be restarted once the lease expires."
        )
    queued = run.queued_at or run.created_at
    return (
        f"This run was queued at {leases.moment_label(queued)} and is waiting for a worker; "
        f"it can be restarted if it has not started by "
        f"{leases.moment_label(queued + start_within())}."
    )


def _requeue(run: SettlementRun, *, now: dt.datetime, step: str, fields: dict) -> str:
    """Back to queued with a new task id (the run row is locked by the caller)."""
    task_id = new_task_id()
    run.status, run.task_id, run.queued_at, run.lease_expires_at = (
        Status.PENDING,
        task_id,
        now,
        None,
    )
    run.step, run.progress = step[:100], 0
    for name, value in fields.items():
        setattr(run, name, value)
    run.save(
        update_fields=[
            "status",
            "task_id",
            "queued_at",
            "lease_expires_at",
            "step",
            "progress",
            *fields,
        ]
    )
    return task_id


def runs_sweep(*, now: dt.datetime | None = None) -> dict[str, list[int]]:
    """Queue lost runs again; fail those the sweep has already sent too often."""
    now = now or timezone.now()
    lost = leases.lost_filter(now=now, start_within=start_within(), **STATES)
    sends, failed = [], []
    with transaction.atomic():
        # SKIP LOCKED: a run whose row is locked is being executed right now (its
        # transaction holds the row from start to commit), whatever its lease says, or a
        # restart is deciding on it: either way, it is in hand.
        candidates = SettlementRun.objects.select_for_update(skip_locked=True).filter(lost)
        for run in candidates.order_by("pk"):
            why = lost_because(run, now=now)  # re-read on the locked row
            if why is None:
                continue
            if run.requeues >= settings.SETTLEMENT_MAX_REQUEUES:
                failed.append((run.pk, f"Sent again {run.requeues} times, never finished: {why}."))
                continue
            step = f"Queued again by the sweep ({run.requeues + 1} of "
            step += f"{settings.SETTLEMENT_MAX_REQUEUES}): {why}"
            logger.warning("Settlement run %s lost (%s): queued again", run.pk, why)
            task_id = _requeue(run, now=now, step=step, fields={"requeues": run.requeues + 1})
            sends.append((run.pk, task_id))
    for run_id, reason in failed:
        logger.error("Settlement run %s failed: %s", run_id, reason)
        run_failed(run_id=run_id, reason=reason)
    # After the commit: a worker that gets the task at once must see the new task id.
    for run_id, task_id in sends:
        run_publish(run_id=run_id, task_id=task_id)
    return {"requeued": [pk for pk, _ in sends], "failed": [pk for pk, _ in failed]}


def run_restart(*, actor: User, run_id: int) -> tuple[SettlementRun, bool]:
    """Finance restarts a failed or lost run: queued again with a new task id, audited.
    Returns the run and whether its task reached the broker."""
    now = timezone.now()
    try:
        with transaction.atomic():
            # Lock, then decide on the fresh row: two finance users may press at once, and
            # the second must see the first's restart. NOWAIT: a row locked by a worker's
            # run in progress is answered at once, not after the run.
            run = SettlementRun.objects.select_for_update(nowait=True).get(pk=run_id)
            refusal = restart_refusal(run, now=now)
            if refusal:
                raise ConflictError(refusal)
            before = {"status": run.status, "attempts": run.attempts}
            why = run.failure_reason or lost_because(run, now=now) or ""
            holder = run.lease_holder
            task_id = _requeue(
                run,
                now=now,
                step=f"Restarted by {actor}",
                fields={"requeues": 0, "failure_reason": ""},
            )
            audit_log(
                actor=actor,
                action=AuditAction.RUN_RESTARTED,
                target=run,
                reason=why[:2000],
                before=before,
                after={"status": run.status},
                lease_holder=holder,
                task_id=task_id,
            )
    except OperationalError as error:
        if getattr(error.__cause__, "pgcode", None) != LOCK_NOT_AVAILABLE:
            raise
        raise ConflictError(
            "A worker is executing this run right now: it cannot be restarted."
        ) from error
    return run, run_publish(run_id=run.pk, task_id=task_id)
