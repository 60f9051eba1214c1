"""What operators see: errors in Sentry (when SENTRY_DSN is set) and logs they can parse.

Loaded by config/settings.py before Django is set up, so it imports nothing of Django's.
"""

import logging


def sentry_init(
    *, dsn: str, environment: str, release: str | None, traces_sample_rate: float, **options
) -> None:
    """Sentry for the web processes and the Celery workers (and beat): unhandled exceptions
    in views and tasks, with the request and task context but no personal data — no user
    emails, IPs, cookies or request bodies. That is send_default_pii=False, the SDK's
    default: sentry-sdk 2.75 deprecates passing it (data_collection supersedes it, and a
    data_collection dict opts into collecting most categories), so it is left unset and
    tests/ops/test_sentry.py checks what an event carries."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration(), CeleryIntegration(monitor_beat_tasks=False)],
        environment=environment,
        release=release,
        traces_sample_rate=traces_sample_rate,
        **options,
    )


class ClientErrorsWithoutTraceback(logging.Filter):
    """A 4xx is the client's doing: log it as the one-line warning it is. Django logs a
    PermissionDenied (403) and a bad request (400) with the exception's traceback attached,
    which buries real errors (5xx, which keep theirs) in stacks nobody needs to read."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
