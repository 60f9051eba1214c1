"""Demo calls: five weeks of simulated calls through the real webhooks, once."""

from django.core.management import call_command

from routing.models import Call


def seed_demo() -> list[tuple[str, str]]:
    if not Call.objects.exists():
        call_command("simulate_calls", calls=90, days=35, seed=7)
    return []
