import time

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect

from accounts.mfa import user_has_totp


class StaffMFAMiddleware:
    """No staff page opens until its user has enrolled TOTP two-factor authentication.

    One place enforces it for every path under settings.STAFF_URL_PREFIXES (our staff
    pages and the Django admin), so a new staff view cannot forget the check. Team leads
    (issue 19) too: their pages are under /lead/ (a prefix there), and they are not staff.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            request.path.startswith(settings.STAFF_URL_PREFIXES)
            and user.is_authenticated
            and user.needs_totp
            and not user_has_totp(user)
        ):
            messages.warning(
                request,
                "Staff pages need two-factor authentication. Set up an authenticator app "
                "to continue.",
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


STAFF_SEEN = "staff_seen_at"  # the session key: when the idle timer was last restarted
REFRESH_SECONDS = 60


def staff_idle_timer_start(request, user) -> None:
    """Restart a staff session's idle timer: it expires STAFF_SESSION_IDLE_SECONDS from now."""
    request.session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)
    request.session[STAFF_SEEN] = int(time.time())


def staff_signed_in(sender, request, user, **kwargs) -> None:
    """`user_logged_in` receiver (accounts.apps): a staff session is short from its start."""
    if request is not None and hasattr(request, "session") and user.needs_totp:
        staff_idle_timer_start(request, user)


class StaffSessionIdleMiddleware:
    """Staff sessions end after STAFF_SESSION_IDLE_SECONDS (30 min) without a request.

    A staff request restarts the timer: the session's expiry is set that far ahead again (the
    session is saved, its cookie re-sent). At most once a minute, so a page costs no session
    write per request: the session ends 29 to 30 minutes after the last request. Agents and
    firms keep SESSION_COOKIE_AGE. Checked after the view (a sign-in is `staff_signed_in`'s).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.needs_totp:
            seen = request.session.get(STAFF_SEEN, 0)
            if time.time() - seen >= REFRESH_SECONDS:
                staff_idle_timer_start(request, user)
        return response
