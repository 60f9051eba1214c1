from celery import shared_task

from routing import services


@shared_task(name="routing.wrap_up_end")
def wrap_up_end_task(agent_id: int) -> bool:
    """Countdown after a call: the agent's wrap-up is over. Safe to repeat (compare-and-set)."""
    return services.wrap_up_end(agent_id=agent_id)


@shared_task(name="routing.sweep")
def routing_sweep_task() -> dict[str, int]:
    """Beat, every 10 s: end due wrap-ups, free reservations stuck past ring timeout."""
    return services.routing_sweep()
