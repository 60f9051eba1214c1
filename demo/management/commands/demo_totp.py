from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the current TOTP code of the demo staff accounts (development only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo_totp is for the development demo only (DJANGO_DEBUG=true).")
        counters = list(yield_hotp_counters_from_time())
        current = counters[len(counters) // 2]
        self.stdout.write(format_hotp_value(hotp_value(DEMO_TOTP_SECRET, current)))
