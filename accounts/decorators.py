from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def role_required(*roles: str):
    """Signed-in users holding one of `roles`; others get 403. Staff MFA is the middleware's."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not any(request.user.has_role(role) for role in roles):
                raise PermissionDenied("This page belongs to another role.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
