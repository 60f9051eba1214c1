"""A deployment check of the address campaign mail links to (`manage.py check --deploy`).

Every campaign email carries its one-click unsubscribe link (RFC 8058) built on PORTAL_URL;
left at its development default, the mail of a production deployment would send readers to
http://localhost:8000, and the provider's one-click POST would go nowhere.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", ""}


@checks.register(deploy=True)
def portal_url_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    parts = urlsplit(getattr(settings, "PORTAL_URL", ""))
    if parts.scheme == "https" and (parts.hostname or "") not in LOCAL_HOSTS:
        return []
    return [
        checks.Warning(
            f"PORTAL_URL is {settings.PORTAL_URL!r}: campaign mail's unsubscribe links and "
            "notification emails would point there.",
            hint="Set PORTAL_URL to the portal's public https:// address.",
            id="mailroom.W001",
        )
    ]
