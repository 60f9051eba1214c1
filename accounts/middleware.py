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
