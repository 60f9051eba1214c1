"""The firm's email pages (/client/email/, issue 18): queues with their addresses, IMAP
mailboxes and service level, reply templates, and conversations. The email campaigns' pages
follow at the end of the file.

Every member of the firm sees them; only its admins change anything (the services check it
too). The firm sees its own customers' addresses; of its agents, only their display name.
"""

import nh3
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from clients.decorators import firm_member
from common.keyset import Keyset
from common.views import confirm_page, errors_to_form, errors_to_message
from mailroom import selectors, services
from mailroom.client_forms import (
    AddressForm,
    ConversationFilterForm,
    MailboxForm,
    QueueForm,
    TemplateForm,
)

CONVERSATION_PAGES = Keyset("mail.conversations", ["-last_message_at", "-pk"], size=50)


def _admin_only(request) -> None:
    if not request.membership.is_admin:
        raise PermissionDenied("Only your firm's admins can change email settings.")


def _posted(request, form_class, **kwargs):
    """The form, bound to the POST (an admin's) or unbound."""
    if request.method == "POST":
        _admin_only(request)
        return form_class(request.POST, **kwargs)
    return form_class(**kwargs)


def _queue_fields(data: dict) -> dict:
    keys = ("name", "line", "language", "first_response_minutes", "display_name", "is_active")
    return {key: data[key] for key in keys}


@firm_member
def queues(request):
    """The firm's queues: addresses, mailboxes' health, counts and this week's service level."""
    form = _posted(request, QueueForm, firm=request.firm, initial={"first_response_minutes": 240})
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            queue = services.queue_save(
                actor=request.user, firm=request.firm, **_queue_fields(form.cleaned_data)
            )
            return redirect("mail:queue", pk=queue.pk)
    rows = selectors.queues_of(firm=request.firm)
    context = {"queues": rows, "form": form, "is_admin": request.membership.is_admin}
    return render(request, "mailroom/client_queues.html", context)


@firm_member
def queue(request, pk: int):
    """One queue: its settings (admins change them), addresses and mailboxes."""
    found = selectors.queue_get(firm=request.firm, pk=pk)
    initial = {name: getattr(found, name) for name in _queue_fields(QueueForm.base_fields)}
    form = _posted(request, QueueForm, firm=request.firm, initial=initial)
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            fields = _queue_fields(form.cleaned_data)
            services.queue_save(actor=request.user, firm=request.firm, queue=found, **fields)
            messages.success(request, "Queue saved.")
            return redirect("mail:queue", pk=found.pk)
    return _queue_page(request, found, form=form)


def _queue_page(request, found, *, form=None, address_form=None, status: int = 200):
    context = {
        "queue": found,
        "form": form or QueueForm(firm=request.firm, initial={}),
        "address_form": address_form or AddressForm(),
        "mailboxes": found.mailboxes.select_related("address").order_by("pk"),
        "is_admin": request.membership.is_admin,
    }
    return render(request, "mailroom/client_queue.html", context, status=status)


@firm_member
@require_POST
def address_add(request, pk: int):
    _admin_only(request)
    found = selectors.queue_get(firm=request.firm, pk=pk)
    form = AddressForm(request.POST)
    if form.is_valid():
        with errors_to_form(form):
            services.address_add(actor=request.user, queue=found, email=form.cleaned_data["email"])
            return redirect("mail:queue", pk=found.pk)
    initial = {name: getattr(found, name) for name in _queue_fields(QueueForm.base_fields)}
    form_queue = QueueForm(firm=request.firm, initial=initial)
    return _queue_page(request, found, form=form_queue, address_form=form, status=400)


@firm_member
def address_remove(request, pk: int, address: int):
    _admin_only(request)
    found = selectors.queue_get(firm=request.firm, pk=pk)
    target = get_object_or_404(found.addresses.all(), pk=address)
    if request.method != "POST":
        return confirm_page(
            request,
            title=f"Stop taking mail at {target.email}?",
            consequences=[
                "New mail to it is no longer taken. An address a conversation or campaign "
                "used is kept, inactive, so replies still leave from it."
            ],
            confirm_label="Remove the address",
            cancel_url=_queue_url(found),
        )
    services.address_remove(actor=request.user, address=target)
    return redirect("mail:queue", pk=found.pk)


def _queue_url(found) -> str:
    return reverse("mail:queue", args=[found.pk])


@firm_member
def mailbox_new(request, pk: int):
    found = selectors.queue_get(firm=request.firm, pk=pk)
    _admin_only(request)
    form = _posted(request, MailboxForm, queue=found)
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            services.mailbox_save(actor=request.user, queue=found, **form.cleaned_data)
            return redirect("mail:queue", pk=found.pk)
    context = {"queue": found, "form": form, "mailbox": None}
    return render(request, "mailroom/client_mailbox.html", context)


@firm_member
def mailbox(request, pk: int):
    """A mailbox's settings (never its password) and health: its last poll and error."""
    found = selectors.mailbox_get(firm=request.firm, pk=pk)
    keys = ("address", "host", "port", "use_ssl", "username", "folder", "is_active")
    initial = {key: getattr(found, key) for key in keys}
    form = _posted(request, MailboxForm, queue=found.queue, initial=initial)
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            services.mailbox_save(
                actor=request.user, queue=found.queue, mailbox=found, **form.cleaned_data
            )
            messages.success(request, "Mailbox saved.")
            return redirect("mail:mailbox", pk=found.pk)
    context = {
        "queue": found.queue,
        "form": form,
        "mailbox": found,
        "is_admin": request.membership.is_admin,
    }
    return render(request, "mailroom/client_mailbox.html", context)


@firm_member
def mailbox_remove(request, pk: int):
    _admin_only(request)
    found = selectors.mailbox_get(firm=request.firm, pk=pk)
    if request.method != "POST":
        return confirm_page(
            request,
            title=f"Stop polling {found.username} at {found.host}?",
            consequences=["The mailbox and its saved password are deleted; mail taken stays."],
            confirm_label="Remove the mailbox",
            cancel_url=_queue_url(found.queue),
        )
    services.mailbox_remove(actor=request.user, mailbox=found)
    return redirect("mail:queue", pk=found.queue_id)


@firm_member
@require_POST
@errors_to_message("mail:mailbox", "pk")
def mailbox_poll(request, pk: int):
    _admin_only(request)
    found = selectors.mailbox_get(firm=request.firm, pk=pk)
    services.mailbox_poll_now(actor=request.user, mailbox=found)
    messages.success(request, "The mailbox will be polled in a moment.")
    return redirect("mail:mailbox", pk=found.pk)


@firm_member
def templates(request):
    """The firm's reply templates; admins add them."""
    form = _posted(request, TemplateForm, firm=request.firm)
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            services.template_save(actor=request.user, firm=request.firm, **form.cleaned_data)
            return redirect("mail:templates")
    context = {
        "templates": selectors.templates_of(firm=request.firm),
        "form": form,
        "is_admin": request.membership.is_admin,
    }
    return render(request, "mailroom/client_templates.html", context)


@firm_member
def template(request, pk: int):
    found = selectors.template_get(firm=request.firm, pk=pk)
    initial = {
        "name": found.name,
        "queue": found.queue,
        "language": found.language,
        "body": found.body,
    }
    form = _posted(request, TemplateForm, firm=request.firm, initial=initial)
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            services.template_save(
                actor=request.user, firm=request.firm, template=found, **form.cleaned_data
            )
            return redirect("mail:templates")
    context = {"template": found, "form": form, "is_admin": request.membership.is_admin}
    return render(request, "mailroom/client_template.html", context)


@firm_member
def template_remove(request, pk: int):
    _admin_only(request)
    found = selectors.template_get(firm=request.firm, pk=pk)
    if request.method != "POST":
        return confirm_page(
            request,
            title=f"Remove the template {found.name}?",
            consequences=["Agents no longer see it; replies already sent keep their text."],
            confirm_label="Remove the template",
            cancel_url=reverse("mail:template", args=[found.pk]),
        )
    services.template_remove(actor=request.user, template=found)
    return redirect("mail:templates")


@firm_member
@require_GET
def conversations(request):
    """The firm's conversations, latest first, filtered, a page at a time."""
    form = ConversationFilterForm(request.GET or None, firm=request.firm)
    if form.is_bound and not form.is_valid():
        rows = selectors.conversations_of(firm=request.firm).none()
    else:
        filters = form.filters() if form.is_bound else {}
        rows = selectors.conversations_of(firm=request.firm, **filters)
    page = CONVERSATION_PAGES.page(rows, cursor=request.GET.get("cursor"), query=request.GET.dict())
    return render(request, "mailroom/client_conversations.html", {"form": form, "page": page})


def thread_html(conversation) -> list[dict]:
    """The thread for a page: each message with its HTML cleaned once more at display (the
    stored copy was sanitised on the way in; cleaning again costs little and keeps a page
    safe from any row that was not)."""
    return [
        {"message": m, "html": mark_safe(nh3.clean(m.html)) if m.html else ""}  # noqa: S308
        for m in conversation.messages.all()
    ]


@firm_member
@require_GET
def conversation(request, pk: int):
    found = selectors.conversation_get(firm=request.firm, pk=pk)
    context = {"conversation": found, "thread": thread_html(found), "events": found.events.all()}
    return render(request, "mailroom/client_conversation.html", context)
