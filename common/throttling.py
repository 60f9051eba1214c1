"""API rate limits (DRF throttling), from settings: per API key when a key authenticates the
request, per IP otherwise. Twilio's webhooks are plain Django views, never throttled here: a
429 would make Twilio play an error to a caller.

Keys are told apart without importing the apps that define them (common imports no app): a
firm's key authenticates with its `ApiKey` row as `request.auth` (it has a `prefix`), an
agency provider key with the provider's name (a str, `routing.apis`).
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class _SettingsRateThrottle(SimpleRateThrottle):
    scope: str | None = None  # chosen per request (scope_for)

    def get_rate(self) -> str | None:
        # Read at request time: SimpleRateThrottle.THROTTLE_RATES is bound when DRF is first
        # imported, so settings changed later (tests, override_settings) would never apply.
        if self.scope is None:
            return None
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        self.scope = self.scope_for(request)
        if self.scope is None:
            return True  # another class of ours limits this request
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def scope_for(self, request) -> str | None:
        raise NotImplementedError


class ApiKeyThrottle(_SettingsRateThrottle):
    """Key-authenticated requests, counted per key: `api_key` for a firm's key, `api_provider`
    (generous: it carries every caller of the agency's provider) for an agency provider key."""

    def scope_for(self, request) -> str | None:
        auth = request.auth
        if hasattr(auth, "prefix"):
            return "api_key"
        if isinstance(auth, str):
            return "api_provider"
        return None

    def get_cache_key(self, request, view) -> str:
        auth = request.auth
        ident = f"key-{auth.pk}" if hasattr(auth, "prefix") else f"provider-{auth}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class IpThrottle(_SettingsRateThrottle):
    """Everything else (no key: a signed-in user's session, or nobody), counted per client IP
    (DRF's `get_ident`: REMOTE_ADDR, or X-Forwarded-For within NUM_PROXIES)."""

    def scope_for(self, request) -> str | None:
        auth = request.auth
        return None if hasattr(auth, "prefix") or isinstance(auth, str) else "api_ip"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
