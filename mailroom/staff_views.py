"""The staff's email pages (/staff/email/, issue 18): every firm's conversations that missed
their first-response target (escalated) or wait for an agent, oldest first; one conversation;
and putting it back in its queue to be offered again (the assignment re-checks eligibility).
Agency administrators and vetting (behind MFA, as every staff page)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import role_required
from accounts.models import User
from common.forms import Form
from common.keyset import Keyset
from common.views import errors_to_message
from mailroom import selectors, services
from mailroom.client_views import thread_html

STAFF = role_required(User.Role.ADMIN, User.Role.VETTING)
# Oldest first: the longest-waiting consumer at the top.
STAFF_PAGES = Keyset("mail_staff.conversations", ["created_at", "pk"], size=50)


class ReleaseForm(Form):
    reason = forms.CharField(max_length=500, required=False, label="Why (for the record)")


@STAFF
@require_GET
def home(request):
    breached_only = request.GET.get("breached") == "1"
    rows = selectors.staff_conversations(breached_only=breached_only)
    page = STAFF_PAGES.page(rows, cursor=request.GET.get("cursor"), query=request.GET.dict())
    context = {"page": page, "breached_only": breached_only}
    return render(request, "mailroom/staff_home.html", context)


@STAFF
@require_GET
def conversation(request, pk: int):
    found = selectors.staff_conversation_get(pk=pk)
    context = {
        "conversation": found,
        "thread": thread_html(found),
        "events": found.events.all(),
        "form": ReleaseForm(),
    }
    return render(request, "mailroom/staff_conversation.html", context)


@STAFF
@require_POST
@errors_to_message("mail_staff:conversation", "pk")
def conversation_release(request, pk: int):
    """Back to the queue. (Reassigning to a chosen agent waits for mailroom.eligibility: the
    queue's assignment then offers it to the best eligible agent.)"""
    found = selectors.staff_conversation_get(pk=pk)
    form = ReleaseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if services.conversation_release(actor=request.user, conversation=found, reason=reason):
        messages.success(request, "Back in the queue: it is offered to the next eligible agent.")
    else:
        messages.info(request, "It had no agent to take it from.")
    return redirect("mail_staff:conversation", pk=found.pk)
