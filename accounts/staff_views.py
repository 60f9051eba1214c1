"""The agency administrator's home under /staff/."""

from django.shortcuts import render

from accounts.decorators import admin_required


@admin_required
def staff_home(request):
    return render(request, "accounts/staff_home.html")
