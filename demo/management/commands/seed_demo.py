"""Idempotent demo data: one user per role, and home agents in Indian tier-II cities.

Each app contributes its part through a `seed_demo()` function in its `demo.py`;
this command calls them bottom-up and prints the logins. It lives in the `demo` app, above
every other app, so these are plain imports the import contracts can see.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_users
from accounts.notifications import notifications_quiet
from agents import demo as agents_demo
from billing import demo as billing_demo
from clients import demo as clients_demo
from routing import demo as routing_demo

# Lower apps first: each may rely on what the previous one seeded.
DEMO_MODULES = [agents_demo, clients_demo, routing_demo, billing_demo]


class Command(BaseCommand):
    help = "Create or refresh the demo data (safe to run again) and print the demo logins."

    @transaction.atomic
    def handle(self, *args, **options):
        logins = seed_users()
        with notifications_quiet():  # on the bell, not mailed to made-up addresses
            for module in DEMO_MODULES:
                logins += module.seed_demo()
        self._print_logins(logins)
        api_key = clients_demo.demo_api_key()
        self.stdout.write(
            f"Acme Insurance's API key (new on every seed): {api_key}\n"
            f"  curl -H 'Authorization: Api-Key {api_key}' http://127.0.0.1:8000/api/v1/lines/\n"
        )

    def _print_logins(self, logins: list[tuple[str, str]]) -> None:
        out = self.stdout
        out.write("")
        out.write(self.style.SUCCESS(f"Homeshore demo logins (password for all: {DEMO_PASSWORD})"))
        width = max(len(email) for email, _ in logins)
        for email, role in logins:
            out.write(f"  {email.ljust(width)}  {role}")
        out.write("")
        out.write(
            "Staff accounts use two-factor authentication. Add this secret to an authenticator "
            f"app: {DEMO_TOTP_SECRET}"
        )
        if settings.DEBUG:
            out.write("  …or print the current code with: make totp  (python manage.py demo_totp)")
        out.write("")
