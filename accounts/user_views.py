"""Pages every signed-in user has, whatever the role: their notifications and what they are
told about (mounted at /notifications/; staff still need TOTP there, STAFF_URL_PREFIXES)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.decorators import signed_in_required
from accounts.forms import NotificationSettingsForm
from accounts.notifications import (
    kinds_for,
    notification_read,
    notification_settings_of,
    notification_settings_set,
    notifications_of,
    notifications_read_all,
)
from common.keyset import Keyset

PAGES = Keyset("accounts.notifications", ["-created_at", "-pk"], size=30)


@signed_in_required
def notifications(request):
    page = PAGES.page(notifications_of(user=request.user), cursor=request.GET.get("cursor"))
    return render(request, "accounts/notifications.html", {"page": page})


@require_POST
@signed_in_required
def notification_open(request, pk: int):
    """Mark one read and go where it points; another user's notification is a 404."""
    notification = notification_read(user=request.user, notification_id=pk)
    if notification is None:
        raise Http404("No such notification.")
    url = notification.url
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts=None) and url.startswith("/"):
        return redirect(url)
    return redirect("notifications:list")


@require_POST
@signed_in_required
def notifications_read(request):
    notifications_read_all(user=request.user)
    messages.success(request, "All notifications are marked read.")
    return redirect("notifications:list")


@signed_in_required
def notification_settings(request):
    kinds = kinds_for(request.user)
    initial = NotificationSettingsForm.initial_from(notification_settings_of(user=request.user))
    data = request.POST if request.method == "POST" else None
    form = NotificationSettingsForm(data, kinds=kinds, initial=initial)
    if form.is_bound and form.is_valid():
        notification_settings_set(user=request.user, choices=form.choices())
        messages.success(request, "Your notification settings are saved.")
        return redirect("notifications:settings")
    return render(request, "accounts/notification_settings.html", {"form": form})
