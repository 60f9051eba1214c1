"""Settlement as Celery tasks. A task takes ids, claims, executes; safe to run twice.

`acks_late` + `reject_on_worker_lost`: a worker killed mid-run leaves the message unacked,
the broker redelivers it, and the retry finds the run claimed but not done (its transaction
rolled back) and executes it from the start.
"""

import uuid

from celery import shared_task
from django.db import OperationalError

from billing import settlement
from billing.models import SettlementRun


@shared_task(
    bind=True,
    name="billing.settlement_execute",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def settlement_execute_task(self, run_id: int) -> dict:
    def report(percent: int, step: str) -> None:
        if not self.request.is_eager:
            self.update_state(state="PROGRESS", meta={"progress": percent, "step": step})

    settlement.run_claim(run_id=run_id)
    try:
        run = settlement.run_execute(run_id=run_id, report=report)
    except OperationalError:
        raise  # retried (a lock timeout, a lost connection)
    except Exception as error:
        settlement.run_failed(run_id=run_id, error=str(error))
        raise
    return {"run": run.pk, "total": str(run.total), "transactions": run.transactions}


@shared_task(name="billing.settlements_due")
def settlements_due_task() -> list[int]:
    """Daily (beat): open runs for periods that ended, and execute them."""
    runs = settlement.runs_due()
    for run in runs:
        task_id = str(uuid.uuid4())  # stored first, so the page can follow the task's state
        SettlementRun.objects.filter(pk=run.pk).update(task_id=task_id)
        settlement_execute_task.apply_async(args=[run.pk], task_id=task_id)
    return [run.pk for run in runs]
