from django.shortcuts import render

from accounts.decorators import role_required
from accounts.models import User


@role_required(User.Role.CLIENT)
def home(request):
    return render(request, "clients/home.html")
