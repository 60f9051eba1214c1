"""Demo calls: five weeks of them (clients.demo.HISTORY_DAYS) through the real webhooks, once."""

from django.core.management import call_command

from clients.demo import HISTORY_DAYS
from routing.models import Call


def seed_demo() -> list[tuple[str, str]]:
    if not Call.objects.exists():
        call_command("simulate_calls", calls=90, days=HISTORY_DAYS, seed=7)
    return []
