"""When a leased background job counts as lost: the rule a settlement run (billing.runs) and a
payout export (billing.export_jobs) share.

Both are queued (a task id and the queue time stored, then the task sent) and taken by a
worker under a lease it renews. One is lost when it is running and its lease has expired (the
worker died), or queued and its task has not started in time (the broker lost the message,
publishing failed); the sweeps queue those again. Each module keeps its own sweep loop,
requeue and failure: their rows, messages and audit differ; the rule of "lost" is here once.
"""

import datetime as dt

from django.db.models import Q
from django.utils import timezone


def moment_label(moment: dt.datetime | None) -> str:
    return f"{timezone.localtime(moment):%d %b %H:%M:%S}" if moment else "an unknown time"


def lost_filter(*, now: dt.datetime, running: str, queued: str, start_within: dt.timedelta) -> Q:
    """The jobs `lost_reason` may find lost, as a filter (the sweep re-checks each locked row)."""
    expired = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now)
    unstarted = Q(queued_at__lte=now - start_within) | Q(
        queued_at__isnull=True, created_at__lte=now - start_within
    )
    return (Q(status=running) & expired) | (Q(status=queued) & unstarted)


def lost_reason(
    job, *, now: dt.datetime, running: str, queued: str, start_within: dt.timedelta
) -> str | None:
    """Why the job looks lost (no worker will finish it), or None while it is in hand."""
    if job.status == running:
        if job.lease_expires_at is None or job.lease_expires_at <= now:
            holder = job.lease_holder or "its worker"
            return f"the lease of {holder} expired at {moment_label(job.lease_expires_at)}"
    elif job.status == queued:
        queued_at = job.queued_at or job.created_at
        if queued_at <= now - start_within:
            minutes = start_within.total_seconds() / 60
            return (
                f"queued at {moment_label(queued_at)}, its task did not start within "
                f"{minutes:g} min"
            )
    return None
