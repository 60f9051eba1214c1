"""Demo calls: five weeks of simulated calls through the real webhooks, once; then their
completed days rolled up (as the nightly sweep would), so the Calls pages read roll-ups."""

from django.core.management import call_command

from routing.models import Call
from routing.rollups import callday_sweep


def seed_demo() -> list[tuple[str, str]]:
    if not Call.objects.exists():
        call_command("simulate_calls", calls=90, days=35, seed=7)
    callday_sweep()  # yesterday and every earlier day with calls but no roll-up
    return []
