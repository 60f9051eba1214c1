from functools import cache

from accounts.navigation import navigation_for
from accounts.notifications import notifications_unread_count


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": navigation_for(user)}


def notifications(request) -> dict:
    """The bell's unread count (templates/accounts/_bell.html): one COUNT, only when a
    template reads it (a callable: templates call it; cached for the page's other reads)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def unread() -> int:
        return notifications_unread_count(user=user)

    return {"notifications_unread": unread}
