"""Shared by the email tests: a real SMTP server (aiosmtpd) that keeps what it receives, a
firm's queue on a line with an engaged agent, and raw messages built with the standard
library (what a mail provider or an IMAP server hands us)."""

import email
import email.policy
import socket
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from mailroom.models import Address, Queue
from tests.billing.factories import engaged
from tests.factories import PhoneLineFactory, verified_agent


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


class _Keeper:
    """aiosmtpd's handler: every message accepted, parsed and kept, with its envelope."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        )
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server on 127.0.0.1, and Django's SMTP backend pointed at it: what the
    portal sends arrives in `smtp_sink.messages` as parsed email messages."""
    keeper = _Keeper()
    controller = Controller(keeper, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield keeper
    controller.stop()


def raw_email(
    *,
    to: str,
    sender: str = "Asha Menon <asha.menon@example.net>",
    subject: str = "Claim for my hospital bill",
    text: str = "Hello, I sent my claim papers last week. When will it be paid?",
    html: str | None = None,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] = (),
) -> bytes:
    """An RFC 5322 message as bytes; attachments are (filename, content type, payload)."""
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = message_id or make_msgid(domain="example.net")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for filename, content_type, payload in attachments:
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(payload, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


@pytest.fixture
def mail_line(acme):
    """Acme's claims line: insurance, English and Hindi (the factory's hours: every day)."""
    return PhoneLineFactory(firm=acme, name="Acme claims", languages=["en", "hi"])


@pytest.fixture
def mail_queue(acme, mail_line):
    queue = Queue.objects.create(
        firm=acme, line=mail_line, name="Claims email", display_name="Acme claims"
    )
    Address.objects.create(queue=queue, email="claims@acme-insurance.example")
    return queue


@pytest.fixture
def mail_address(mail_queue):
    return mail_queue.addresses.get()


@pytest.fixture
def mail_agent(acme, mail_line):
    """Meena: verified, insurance, English and Hindi, engaged on the claims line with email
    rates, on duty (available)."""
    agent = verified_agent(
        "meena@example.com", full_name="Meena Iyer", languages=(("en", 5), ("hi", 4))
    )
    engagement = engaged(agent, acme, lines=[mail_line])
    engagement.email_client_rate = Decimal("25.00")
    engagement.email_agent_rate = Decimal("15.00")
    engagement.save()
    agent.duty_status = agent.Duty.AVAILABLE
    agent.duty_changed_at = timezone.now()
    agent.save()
    return agent


@pytest.fixture
def folder(imap_server):
    """A folder of its own in the throwaway IMAP server (tests/conftest.py `imap_server`),
    removed after the test."""
    from tests.mailroom.imap_support import Folder

    made = Folder(imap_server)
    yield made
    made.remove()


@pytest.fixture(autouse=True)
def _inline_tasks(eager):
    """Tasks run inline in these tests, with a broker configured too (CI's second pass): a
    test's rows are not committed, so a worker could not see them, and a task's result would
    be waited for in vain. Workers and beat are proven by the worker tests and the
    production smoke run."""
