"""Pluggable SMS sending: settings.SMS_BACKEND names a class with `send(to, body)`.

ConsoleBackend (default) prints to stdout, like Django's console email backend;
LocmemBackend keeps messages in `outbox` for tests. A Twilio backend plugs in the same way.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Sms:
    to: str
    body: str


outbox: list[Sms] = []


class ConsoleBackend:
    def send(self, *, to: str, body: str) -> None:
        print(f"[SMS to {to}] {body}", flush=True)


class LocmemBackend:
    def send(self, *, to: str, body: str) -> None:
        outbox.append(Sms(to=to, body=body))


def send_sms(*, to: str, body: str) -> None:
    import_string(settings.SMS_BACKEND)().send(to=to, body=body)
