"""Campaigns' Celery tasks. Each takes ids, re-fetches and calls a service; safe to run twice.
New tasks go at the end, each in its own section.
"""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError, connections

from common.enqueue import UNAVAILABLE, enqueue
from common.errors import ServiceUnavailableError

logger = logging.getLogger(__name__)
# Lock timeouts, deadlocks and dropped connections (billing.tasks has the longer story).
TRANSIENT = (OperationalError, InterfaceError)


def _reason(error: BaseException) -> str:
    return f"{type(error).__name__}: {str(error).strip() or 'no message'}"


# --- Imports: contact lists, do-not-call numbers, the registry (campaigns.imports) ----------


@shared_task(
    name="campaigns.import_run",
    acks_late=True,  # safe to run twice: the claim is a compare-and-set on the job's lease
    reject_on_worker_lost=True,
    ignore_result=True,  # the page follows the job's row
)
def import_run_task(job_id: int) -> dict:
    from campaigns import imports  # imports sends this module's task

    try:
        return imports.import_run(job_id=job_id)
    except Exception as error:
        # Whatever stopped it, the apply rolled back whole and the job keeps its lease: when
        # the lease expires the sweep sends it again (a fresh read of the file), at most
        # imports.MAX_REQUEUES times. Broken connections are dropped for the next task.
        for conn in connections.all(initialized_only=True):
            if not conn.in_atomic_block:
                conn.close_if_unusable_or_obsolete()
        if isinstance(error, TRANSIENT):
            logger.warning("Import %s interrupted: %s", job_id, _reason(error))
        else:
            logger.exception("Import %s stopped", job_id)
        return {"job": job_id, "interrupted": _reason(error)}


def import_publish(*, job_id: int) -> str | None:
    """Send the job's task: None when sent, else the broker's outage message (the job stays
    queued and `imports_sweep` sends it again)."""
    try:
        enqueue(import_run_task, args=(job_id,))
    except ServiceUnavailableError as error:
        logger.warning("Import %s not sent to the broker: %s", job_id, _reason(error))
        return error.message
    except OSError as error:
        logger.warning("Import %s not sent to the broker: %s", job_id, _reason(error))
        return UNAVAILABLE
    return None


# --- Dialing (campaigns.dialer, campaigns.provider, campaigns.sweep) ------------------------


@shared_task(name="campaigns.attempt_dial", acks_late=True)
def attempt_dial_task(attempt_id: int) -> None:
    """Ask the provider to call the agent's phone for a placed attempt (once: a repeat finds
    the attempt already dialled and does nothing)."""
    from campaigns import provider

    provider.attempt_dial(attempt_id=attempt_id)


@shared_task(name="campaigns.dial")
def dial_tick() -> dict:
    """Beat, every 2 s: the campaigns sweep (what no callback will tell), then one round of
    progressive dialing for free campaign agents."""
    from campaigns import dialer, sweep

    swept = sweep.campaigns_sweep()
    return {**swept, "dialled": dialer.progressive_dial()}
