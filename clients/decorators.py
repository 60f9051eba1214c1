"""The client firm's pages, in every app: the signed-in client user and their firm."""

from functools import wraps

from django.shortcuts import render

from accounts.decorators import client_required
from clients.selectors import membership_get


def firm_member(view):
    """A client user with a seat in a firm; sets request.firm and request.membership."""

    @client_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        membership = membership_get(user=request.user)
        if membership is None:
            return render(request, "clients/no_firm.html", status=403)
        request.membership, request.firm = membership, membership.firm
        return view(request, *args, **kwargs)

    return wrapped
