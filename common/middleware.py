from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied

from common.audit import client_ip


class ClientIpMiddleware:
    """Puts the client's IP where `audit_log` finds it, for the length of the request.

    The IP is allauth's (`get_client_ip`): REMOTE_ADDR, or the address
    ALLAUTH_TRUSTED_PROXY_COUNT proxies in from the right of X-Forwarded-For — the same
    address the login rate limits count, so a client cannot forge it with a header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            ip = get_adapter(request).get_client_ip(request)
        except (PermissionDenied, ImproperlyConfigured):
            # No address, or fewer X-Forwarded-For hops than configured: an audit record
            # without an IP is better than refusing the request here.
            ip = None
        token = client_ip.set(ip)
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)


class PermissionsPolicyMiddleware:
    """A `Permissions-Policy` header on every response: the portal uses no camera, microphone,
    location or other powerful feature, so none may be used by it or anything it frames.
    (Agents take calls on their own phones, never in the browser.) The header's value is
    settings.PERMISSIONS_POLICY, one `feature=()` per feature; a view's own header stays."""

    def __init__(self, get_response):
        self.get_response = get_response
        features = settings.PERMISSIONS_POLICY
        self.value = ", ".join(f"{name}=({' '.join(allow)})" for name, allow in features.items())

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.value)
        return response
