from django.shortcuts import redirect, render

from accounts.decorators import admin_required
from accounts.navigation import role_home_url


def home(request):
    """The front door: visitors see the landing page, users go to their role's home."""
    if request.user.is_authenticated:
        return redirect(role_home_url(request.user))
    return render(request, "landing.html")


@admin_required
def staff_home(request):
    return render(request, "accounts/staff_home.html")
