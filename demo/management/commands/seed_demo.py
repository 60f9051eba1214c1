"""Idempotent demo data: one user per role, and home agents in Indian tier-II cities.

Each app contributes its part through a `seed_demo()` function in its `demo.py`;
this command calls them bottom-up and prints the logins, last (`make run` serves right after).
It lives in the `demo` app, above every other app, so these are plain imports the import
contracts can see.
"""

from contextlib import nullcontext

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_users
from accounts.notifications import notifications_quiet
from agents import demo as agents_demo
from billing import demo as billing_demo
from campaigns import demo as campaigns_demo
from clients import demo as clients_demo
from mailroom import demo as mailroom_demo
from routing import demo as routing_demo
from teams import demo as teams_demo
from teams import franchise_demo as teams_franchise_demo

# Lower apps first: each may rely on what the previous one seeded.
DEMO_MODULES = [
    agents_demo,
    clients_demo,
    teams_franchise_demo,  # franchises (issue 19): before the simulated calls route
    routing_demo,
    campaigns_demo,
    mailroom_demo,
    billing_demo,
    teams_demo,  # schedules (issue 19): a booked week on one request, after the call history
]


class Command(BaseCommand):
    help = "Create or refresh the demo data (safe to run again) and print the demo logins."

    def handle(self, *args, **options):
        with transaction.atomic():
            logins = seed_users()
            with notifications_quiet():  # on the bell, not mailed to made-up addresses
                for module in DEMO_MODULES:
                    # The simulated calls are dated after they end: billing's demo writes
                    # their ledger rows then, dated with their calls (billing.demo.ledger_held);
                    # outbound attempts too (promotional ones are laid out in daytime).
                    simulated = module in (routing_demo, campaigns_demo)
                    held = billing_demo.ledger_held() if simulated else nullcontext()
                    with held:
                        logins += module.seed_demo()
            api_key = clients_demo.demo_api_key()
        # Printed after the commit and what runs on it (emails to the console, inline tasks):
        # the logins are the last lines before `make run` starts the server.
        self.stdout.write(
            f"\nAcme Insurance's API key (new on every seed): {api_key}\n"
            f"  curl -H 'Authorization: Api-Key {api_key}' http://127.0.0.1:8000/api/v1/lines/"
        )
        self._print_logins(logins)

    def _print_logins(self, logins: list[tuple[str, str]]) -> None:
        """The logins, as a compact table: the last lines before `make run` starts the server."""
        out = self.stdout
        width = max(len(email) for email, _ in logins)
        out.write("")
        title = f"Homeshore demo logins, password for all: {DEMO_PASSWORD} (what to try: README.md)"
        out.write(self.style.SUCCESS(title))
        out.write(f"  {'login'.ljust(width)}  who, state")
        for email, role in logins:
            out.write(f"  {email.ljust(width)}  {role}")
        totp = f"Staff (MFA): add the TOTP secret {DEMO_TOTP_SECRET} to an authenticator app"
        out.write(totp + (", or print the code with: make totp" if settings.DEBUG else ""))
        out.write("")
