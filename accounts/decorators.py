"""Who may open a page: every HTML view of every app is wrapped by one of these.

tests/accounts/test_every_page_checks_a_role.py walks the URL resolver and fails on a view
that is neither wrapped here nor on its short list of public pages.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from accounts.models import User


def role_required(*roles: str):
    """Signed-in users holding one of `roles`; others get 403. Staff MFA is the middleware's."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not any(request.user.has_role(role) for role in roles):
                raise PermissionDenied("This page belongs to another role.")
            return view(request, *args, **kwargs)

        # Read by the test above; `wraps` carries it through the decorators stacked outside.
        wrapped.roles = frozenset(roles)
        return wrapped

    return decorator


agent_required = role_required(User.Role.AGENT)
client_required = role_required(User.Role.CLIENT)  # clients.decorators.firm_member adds the firm
vetting_required = role_required(User.Role.VETTING)
finance_required = role_required(User.Role.FINANCE)
admin_required = role_required(User.Role.ADMIN)  # agency administrators (and superusers)
staff_required = role_required(*User.STAFF_ROLES)  # any of vetting, finance, administrator
# Pages every signed-in user has (accounts.user_views: notifications), whatever the role.
signed_in_required = role_required(*User.Role)
# A franchise's lead (issue 19): not staff; TOTP like staff (StaffMFAMiddleware, /lead/).
lead_required = role_required(User.Role.TEAM_LEAD)
