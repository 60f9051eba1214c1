"""Demo calls: five weeks of simulated calls through the real webhooks, once; then their
completed days rolled up (as the nightly sweep would), so the Calls pages read roll-ups."""

from django.core.management import call_command

from clients.demo import HISTORY_DAYS
from routing.models import Call
from routing.rollups import callday_sweep


def seed_demo() -> list[tuple[str, str]]:
    if not Call.objects.exists():
        # Agents missed offers take themselves offline; in five weeks simulated in seconds they
        # would never be back: --back-on-duty, and the demo starts with them on duty.
        call_command("simulate_calls", calls=90, days=HISTORY_DAYS, seed=7, back_on_duty=True)
    callday_sweep()  # yesterday and every earlier day with calls but no roll-up
    return []
