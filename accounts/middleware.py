from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect

from accounts.mfa import user_has_totp


class StaffMFAMiddleware:
    """No staff page opens until its user has enrolled TOTP two-factor authentication.

    One place enforces it for every path under settings.STAFF_URL_PREFIXES (our staff
    pages and the Django admin), so a new staff view cannot forget the check.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            request.path.startswith(settings.STAFF_URL_PREFIXES)
            and user.is_authenticated
            and user.is_staff_role
            and not user_has_totp(user)
        ):
            messages.warning(
                request,
                "Staff pages need two-factor authentication. Set up an authenticator app "
                "to continue.",
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class StaffSessionIdleMiddleware:
    """Staff sessions end after STAFF_SESSION_IDLE_SECONDS (30 min) without a request.

    Each staff request sets the session's expiry that far ahead again (the session is saved and
    its cookie re-sent), so only idleness ends it; agents and firms keep SESSION_COOKIE_AGE.
    Checked after the view, so the sign-in response itself already carries the short expiry.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff_role:
            request.session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)
        return response
