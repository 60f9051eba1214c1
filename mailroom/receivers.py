"""receivers (issue 18)."""

# --- Agents' duty changes (H2) -------------------------------------------------------------
from django.db import transaction
from django.dispatch import receiver

from agents.signals import agent_available, agent_offline
from mailroom import assignment
from routing.signals import call_wrapped_up


@receiver(agent_available, dispatch_uid="mailroom_waiting_to_available_agent")
def agent_available_route(sender, *, agent_id: int, **kwargs) -> None:
    """An agent went available (sent on commit, after routing offered them a caller): the
    waiting conversations they can take are routed (only if no call reserved them)."""
    assignment.waiting_route_for_agent(agent_id=agent_id)


@receiver(call_wrapped_up, dispatch_uid="mailroom_waiting_after_call")
def call_wrapped_up_route(sender, *, call, **kwargs) -> None:
    """A call's wrap-up ended (inside routing's transaction): once it commits, the agent, if
    available again, gets waiting conversations. Calls came first; email resumes."""
    agent_id = call.agent_id
    if agent_id is not None:
        transaction.on_commit(
            lambda: assignment.waiting_route_for_agent(agent_id=agent_id), robust=True
        )


@receiver(agent_offline, dispatch_uid="mailroom_release_offline_agent")
def agent_offline_release(sender, *, agent_id: int, **kwargs) -> None:
    """An agent went offline (sent on commit): their unanswered conversations go to others."""
    assignment.agent_conversations_release(agent_id=agent_id)
