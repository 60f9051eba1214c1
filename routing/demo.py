"""Demo calls: five weeks of simulated calls through the real webhooks, once; then their
completed days rolled up (as the nightly sweep would), so the Calls pages read roll-ups."""

from django.core.management import call_command

from agents.models import AgentProfile
from agents.services import agent_duty_set
from clients.demo import HISTORY_DAYS
from routing.models import Call
from routing.rollups import callday_sweep


def _back_on_duty() -> None:
    """Five weeks of calls in a few seconds: offers that rang out took agents offline (three
    in a row), as they would over weeks. The demo starts with its verified agents on duty."""
    offline = AgentProfile.objects.filter(
        status=AgentProfile.Status.VERIFIED, duty_status=AgentProfile.Duty.OFFLINE
    )
    for agent in offline.order_by("pk"):
        agent_duty_set(agent=agent, available=True)


def seed_demo() -> list[tuple[str, str]]:
    if not Call.objects.exists():
        call_command("simulate_calls", calls=90, days=HISTORY_DAYS, seed=7)
        _back_on_duty()
    callday_sweep()  # yesterday and every earlier day with calls but no roll-up
    return []
