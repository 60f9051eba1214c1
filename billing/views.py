from django.shortcuts import render

from accounts.decorators import role_required
from accounts.models import User


@role_required(User.Role.FINANCE)
def finance_home(request):
    return render(request, "billing/finance_home.html")
