import datetime as dt

from celery import shared_task

from routing import rollups, services

# Routing's tasks are fire-and-forget, and are published from webhooks a caller waits on:
# with a result, publishing first subscribes to the result store, whose retries (20 x 1 s on
# Redis) held a webhook 19 s while the broker was down — past Twilio's 15 s. Without one,
# publishing is bounded by the broker's own connect timeout and retry policy (settings).


@shared_task(name="routing.wrap_up_end", ignore_result=True)
def wrap_up_end_task(agent_id: int) -> bool:
    """Countdown after a call: the agent's wrap-up is over. Safe to repeat (compare-and-set)."""
    return services.wrap_up_end(agent_id=agent_id)


@shared_task(name="routing.sweep", ignore_result=True)
def routing_sweep_task() -> dict[str, int]:
    """Beat, every 10 s: end due wrap-ups, free reservations stuck past ring timeout."""
    return services.routing_sweep()


@shared_task(name="routing.calldays_sweep", ignore_result=True)
def calldays_sweep_task() -> int:
    """Beat, nightly: roll up yesterday's calls per line, and any earlier day left out."""
    return len(rollups.callday_sweep())


@shared_task(name="routing.callday_rollup", ignore_result=True)
def callday_rollup_task(day: str) -> int:
    """Recompute one completed day (ISO date), e.g. after correcting its calls."""
    return rollups.callday_rollup(day=dt.date.fromisoformat(day))
