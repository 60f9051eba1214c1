"""Campaigns' Celery tasks: ids in, a service called; safe to run twice."""

from celery import shared_task

from campaigns import provider, sweep


@shared_task(name="campaigns.attempt_dial", acks_late=True)
def attempt_dial_task(attempt_id: int) -> None:
    """Ask the provider to call the agent's phone for a placed attempt (once: a repeat finds
    the attempt already dialled and does nothing)."""
    provider.attempt_dial(attempt_id=attempt_id)


@shared_task(name="campaigns.dial")
def dial_tick() -> dict:
    """Beat, every 2 s: the campaigns sweep (what no callback will tell), then one round of
    progressive dialing for free campaign agents."""
    return sweep.campaigns_tick()
