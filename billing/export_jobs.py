"""A payout export's file, built by a Celery task: queued -> running -> ready | failed.

The request records the export (billing.exports.payout_export_record: the payouts are fixed,
the export audited) and sends `billing.export_build`; the page follows the row's progress
(`done` of `count` rows) and offers the download when the file is ready. Every export takes
this one path, small or large: a 20-row sheet is built in milliseconds by the worker and the
page shows the link on its first poll, and one path is one set of tests and failure modes.

Surviving the infrastructure is billing.runs' pattern (the rule of "lost" is billing.leases',
shared), adapted to a task that does not hold
a transaction for its whole length (a 96k-row sheet is many seconds of writing):
- `export_start`: a new task id and the queue time are stored, then the task is sent. A
  broker that cannot be reached leaves the export queued (the sweep sends it again) and the
  user gets common.enqueue's message.
- the task claims the export by compare-and-set (a lease, EXPORT_LEASE_SECONDS; only the
  task id last stored may claim, so a stale delivery of a replaced task does nothing) and renews
  the lease with every progress update (every CHUNK rows); an update that no longer matches
  its task id means the sweep gave the export to another task: this one stops.
- `exports_sweep` (beat, every minute): a running export whose lease expired and a queued one
  not started within EXPORT_START_WITHIN_SECONDS are queued again with a new task id, at most
  EXPORT_MAX_REQUEUES times; then the export fails with the reason.
- `export_restart`: the export's owner restarts a failed or lost export, audited.
- `exports_expire` (beat, hourly): a ready file older than EXPORT_RETENTION_HOURS is deleted
  from storage; the record (and its audit) stay, as "expired".

A file is stored privately (agents.models.PrivateStorage, like agents' documents: no URL),
and only its owner, in finance, downloads it (billing.export_views), audited.
"""

import datetime as dt
import logging
import tempfile

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from billing import leases
from billing.exports import export_file_write
from billing.models import PayoutExport
from billing.tasks import export_publish, new_task_id
from common.audit import audit_log
from common.errors import ConflictError
from common.models import AuditAction

logger = logging.getLogger(__name__)
Status = PayoutExport.Status
LIVE = (Status.QUEUED, Status.RUNNING)


class LeaseLost(Exception):
    """The sweep gave the export to another task (this one's lease expired): stop writing."""


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.EXPORT_LEASE_SECONDS)


def _start_within() -> dt.timedelta:
    return dt.timedelta(seconds=settings.EXPORT_START_WITHIN_SECONDS)


def export_start(*, export: PayoutExport) -> str | None:
    """Queue the export's task (after the record is committed). Returns None when it was
    sent, or the broker's outage message: the export stays queued and the sweep resends."""
    task_id = new_task_id()
    PayoutExport.objects.filter(pk=export.pk).update(task_id=task_id, queued_at=timezone.now())
    export.task_id = task_id
    return export_publish(export_id=export.pk, task_id=task_id)


def export_claim(*, export_id: int, holder: str, task_id: str) -> bool:
    """Take the export's lease (compare-and-set). Only the export's current task may: the
    one export_start, the sweep or a restart stored before sending it. False for any other
    delivery: a stale task the sweep replaced, a duplicate while the lease is held, an export
    already ready or failed."""
    now = timezone.now()
    free = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now)
    return bool(
        PayoutExport.objects.filter(free, pk=export_id, task_id=task_id, status__in=LIVE).update(
            status=Status.RUNNING,
            lease_holder=holder[:200],
            lease_expires_at=now + _lease(),
            attempts=F("attempts") + 1,
            started_at=now,
            done=0,
            failure_reason="",
        )
    )


def _mine(export_id: int, task_id: str):
    return PayoutExport.objects.filter(pk=export_id, task_id=task_id, status=Status.RUNNING)


def export_build(*, export_id: int, holder: str, task_id: str) -> dict:
    """The task's body: claim, write the file to a temporary file CHUNK rows at a time
    (progress and lease renewed each chunk), store it privately, mark the export ready."""
    if not export_claim(export_id=export_id, holder=holder, task_id=task_id):
        return {"export": export_id, "skipped": "not queued, or another task holds it"}
    export = PayoutExport.objects.get(pk=export_id)
    done = 0

    def progress(rows: int) -> None:
        nonlocal done
        done += rows
        renewed = _mine(export_id, task_id).update(
            done=done, lease_expires_at=timezone.now() + _lease()
        )
        if not renewed:
            raise LeaseLost

    try:
        with tempfile.TemporaryFile() as out:
            filename = export_file_write(export=export, out=out, progress=progress)
            size = out.tell()
            out.seek(0)
            name = export.file.storage.save(f"exports/{timezone.now():%Y/%m}/{filename}", File(out))
    except LeaseLost:
        logger.warning("Export %s: lease lost to another task; stopped", export_id)
        return {"export": export_id, "skipped": "lease lost"}
    ready = _mine(export_id, task_id).update(
        status=Status.READY,
        file=name,
        filename=filename,
        size=size,
        done=export.count,
        finished_at=timezone.now(),
        lease_expires_at=None,
    )
    if not ready:  # the sweep took it back after the last chunk: the other task writes it
        export.file.storage.delete(name)
        return {"export": export_id, "skipped": "lease lost"}
    return {"export": export_id, "bytes": size}


def export_failed(*, export_id: int, reason: str, task_id: str = "") -> bool:
    exports = PayoutExport.objects.filter(pk=export_id, status__in=LIVE)
    if task_id:
        exports = exports.filter(task_id=task_id)
    return bool(
        exports.update(
            status=Status.FAILED,
            failure_reason=reason[:2000],
            finished_at=timezone.now(),
            lease_expires_at=None,
        )
    )


STATES = {"running": Status.RUNNING, "queued": Status.QUEUED}  # for billing.leases


def lost_because(export: PayoutExport, *, now: dt.datetime) -> str | None:
    """Why the export looks lost (no task will finish it), or None while it is in hand."""
    return leases.lost_reason(export, now=now, start_within=_start_within(), **STATES)


def _requeue(export: PayoutExport, *, now: dt.datetime, requeues: int) -> str:
    task_id = new_task_id()
    PayoutExport.objects.filter(pk=export.pk).update(
        status=Status.QUEUED,
        task_id=task_id,
        queued_at=now,
        lease_expires_at=None,
        done=0,
        requeues=requeues,
        failure_reason="",
    )
    return task_id


def exports_sweep(*, now: dt.datetime | None = None) -> dict[str, list[int]]:
    """Queue lost exports again; fail those the sweep has already sent too often."""
    now = now or timezone.now()
    lost = leases.lost_filter(now=now, start_within=_start_within(), **STATES)
    sends, failed = [], []
    with transaction.atomic():
        # SKIP LOCKED: a row another sweep or a restart is deciding on is in hand.
        candidates = PayoutExport.objects.select_for_update(skip_locked=True).filter(lost)
        for export in candidates.order_by("pk"):
            why = lost_because(export, now=now)  # re-read on the locked row
            if why is None:
                continue
            if export.requeues >= settings.EXPORT_MAX_REQUEUES:
                failed.append((export.pk, f"Sent again {export.requeues} times: {why}."))
                continue
            logger.warning("Export %s lost (%s): queued again", export.pk, why)
            sends.append((export.pk, _requeue(export, now=now, requeues=export.requeues + 1)))
    for export_id, reason in failed:
        export_failed(export_id=export_id, reason=reason)
    # After the commit: a worker that gets the task at once must see the new task id.
    for export_id, task_id in sends:
        export_publish(export_id=export_id, task_id=task_id)
    return {"requeued": [pk for pk, _ in sends], "failed": [pk for pk, _ in failed]}


def export_restart(*, actor: User, export_id: int) -> tuple[PayoutExport, str | None]:
    """The owner restarts a failed or lost export: queued again, audited. Returns the export
    and None, or the broker's outage message (then the sweep sends it)."""
    now = timezone.now()
    with transaction.atomic():
        # Lock, then decide on the fresh row: a sweep may be requeueing it right now.
        export = PayoutExport.objects.select_for_update().get(pk=export_id, actor=actor)
        why = export.failure_reason or lost_because(export, now=now)
        if export.status not in (Status.FAILED, *LIVE) or not why:
            raise ConflictError(f"This export is {export.get_status_display().lower()}.")
        task_id = _requeue(export, now=now, requeues=0)
        audit_log(
            actor=actor,
            action=AuditAction.EXPORT_RESTARTED,
            target=export,
            reason=why[:2000],
            before={"status": export.status},
            after={"status": Status.QUEUED},
            task_id=task_id,
        )
    export.refresh_from_db()
    return export, export_publish(export_id=export.pk, task_id=task_id)


def exports_expire(*, now: dt.datetime | None = None) -> list[int]:
    """Delete ready files older than EXPORT_RETENTION_HOURS; the records stay, "expired"."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=settings.EXPORT_RETENTION_HOURS)
    expired = []
    for export in PayoutExport.objects.filter(status=Status.READY, finished_at__lte=cutoff):
        if export.file:
            export.file.storage.delete(export.file.name)
        PayoutExport.objects.filter(pk=export.pk, status=Status.READY).update(
            status=Status.EXPIRED, file=""
        )
        expired.append(export.pk)
    return expired
