"""Who is calling the firm API: a firm's API key, or a signed-in client user.

A key authenticates as the firm, not as a person: `ApiKeyUser` stands in for `request.user`
and `request.auth` is the `ApiKey` row. `firm_of(request)` is the one place a view learns
which firm's data it may show.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from accounts.models import User
from clients.models import ApiKey, ClientFirm
from clients.selectors import membership_get
from clients.services import api_key_check

KEYWORD = "Api-Key"
INVALID = "Invalid or revoked API key."


class ApiKeyUser:
    """The caller behind an API key: authenticated, but no person and no user row."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    needs_totp = False  # read by the staff MFA and idle middlewares on the underlying request
    pk = None
    id = None

    def __init__(self, key: ApiKey):
        self.key = key
        self.firm: ClientFirm = key.firm

    def __str__(self) -> str:
        return f"api-key:{self.key.prefix}"


def authorization_key(request: Request) -> str | None:
    """The key of an `Authorization: Api-Key <key>` header; None for no or another scheme."""
    scheme, _, value = request.META.get("HTTP_AUTHORIZATION", "").strip().partition(" ")
    return value.strip() if scheme.lower() == KEYWORD.lower() else None


class FirmApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Api-Key <key>` or `X-Api-Key: <key>`; no key: let the next class try."""

    def authenticate(self, request: Request) -> tuple[ApiKeyUser, ApiKey] | None:
        raw = self._raw_key(request)
        if raw is None:
            return None
        key = api_key_check(raw) if raw else None
        if key is None:
            raise exceptions.AuthenticationFailed(INVALID)
        return ApiKeyUser(key), key

    @staticmethod
    def _raw_key(request: Request) -> str | None:
        value = authorization_key(request)
        if value is not None:
            return value
        # Another scheme (Basic, Bearer) is not ours: fall back to X-Api-Key or other classes.
        if "HTTP_X_API_KEY" in request.META:
            return request.META["HTTP_X_API_KEY"].strip()
        return None

    def authenticate_header(self, request: Request) -> str:
        # A WWW-Authenticate value makes DRF answer missing credentials with 401, not 403.
        return KEYWORD


class FirmApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = FirmApiKeyAuthentication
    name = "FirmApiKey"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "A firm's API key, created by a firm admin on the client portal: send "
                "`Authorization: Api-Key <key>` (or `X-Api-Key: <key>`)."
            ),
        }


def firm_of(request: Request) -> ClientFirm:
    """The firm whose data this request may see: the key's, or the client user's own."""
    cached = getattr(request, "_firm_of", None)
    if cached is not None:
        return cached
    firm = None
    if isinstance(request.user, ApiKeyUser):
        firm = request.user.firm
    elif request.user.is_authenticated and request.user.role == User.Role.CLIENT:
        membership = membership_get(user=request.user)
        firm = membership.firm if membership else None
    if firm is None:
        raise exceptions.PermissionDenied("This API is for client firms.")
    request._firm_of = firm
    return firm


class IsFirm(BasePermission):
    def has_permission(self, request: Request, view) -> bool:
        if not request.user.is_authenticated:
            return False  # DRF answers 401 with the first class's WWW-Authenticate
        firm_of(request)  # raises the 403 with its message
        return True
