"""Routing listening to the apps below it."""

from django.dispatch import receiver

from agents.signals import agent_available
from routing import services


@receiver(agent_available, dispatch_uid="routing_dispatch_agent_available")
def agent_available_dispatch(sender, *, agent_id: int, **kwargs) -> None:
    """An agent went on duty: a wrap-up they left pending by going offline is over, and they
    are offered the longest-waiting caller they can serve, now."""
    services.wrap_ups_left_close(agent_id=agent_id)
    services.queue_dispatch(agent_id=agent_id)
