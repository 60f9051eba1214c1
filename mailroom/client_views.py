"""The firm's email pages (/client/email/, issue 18): queues with their addresses, IMAP
mailboxes and service level, reply templates, and conversations. The email campaigns' pages
follow at the end of the file.

Every member of the firm sees them; only its admins change anything (the services check it
too). The firm sees its own customers' addresses; of its agents, only their display name.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import nh3
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clients.decorators import firm_member
from common.errors import ApplicationError
from common.keyset import Keyset
from common.views import confirm_page, errors_to_form, errors_to_message
from mailroom import selectors, sending, services, suppression
from mailroom.client_forms import (
    AddressForm,
    ConversationFilterForm,
    EmailCampaignForm,
    EmailCampaignScheduleForm,
    EmailCampaignTestForm,
    EmailSuppressionForm,
    MailboxForm,
    QueueForm,
    TemplateForm,
)
from mailroom.models import EmailCampaign
from mailroom.selectors import (
    email_campaign_get,
    email_campaigns_of,
    email_suppressions_of,
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


"""client_views (issue 18)."""

# --- H4 (campaigns): the firm's email campaign pages (/client/email-campaigns/) -----------
# Every member of the firm sees them; only its admins act (the services check it again).


_S = EmailCampaign.Status
CAMPAIGN_MOVES = {
    "start": (sending.campaign_start, (_S.DRAFT, _S.SCHEDULED), "Sending has started."),
    "pause": (sending.campaign_pause, (_S.SENDING,), "Paused."),
    "resume": (sending.campaign_resume, (_S.PAUSED,), "Sending again."),
    "cancel": (sending.campaign_cancel, sending.CANCELLABLE, "Cancelled: nothing more is sent."),
}
LIVE = (_S.SCHEDULED, _S.SENDING)


def _is_admin(request) -> bool:
    return request.membership.is_admin


@require_GET
@firm_member
def email_campaigns(request):
    rows = email_campaigns_of(firm=request.firm)
    return render(
        request,
        "mailroom/campaign_list.html",
        {"campaigns": rows, "is_admin": _is_admin(request)},
    )


def _campaign_form_page(request, campaign: EmailCampaign | None):
    initial = {}
    if campaign is not None:
        initial = {f: getattr(campaign, f) for f in ("name", "request", "address", "subject")}
        initial |= {"body": campaign.body, "rate_per_minute": campaign.rate_per_minute}
        initial["lists"] = list(campaign.lists.all())
    form = EmailCampaignForm(request.POST or None, firm=request.firm, initial=initial)
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            saved = sending.campaign_save(
                actor=request.user,
                firm=request.firm,
                data=sending.CampaignInput(**form.cleaned_data),
                pk=campaign.pk if campaign else None,
            )
            messages.success(request, "Campaign saved.")
            return redirect("mail_campaigns:detail", pk=saved.pk)
    context = {"form": form, "campaign": campaign, "is_admin": _is_admin(request)}
    return render(request, "mailroom/campaign_form.html", context)


@firm_member
def email_campaign_new(request):
    return _campaign_form_page(request, None)


@firm_member
def email_campaign_edit(request, pk: int):
    return _campaign_form_page(request, email_campaign_get(firm=request.firm, pk=pk))


def _figures(campaign: EmailCampaign) -> list[tuple[str, int]]:
    names = ("recipients", "sent", "delivered", "bounced", "complained", "unsubscribed")
    names += ("suppressed", "failed")
    return [(name.capitalize(), getattr(campaign, name)) for name in names]


def _progress_context(campaign: EmailCampaign) -> dict:
    to_send = max(campaign.recipients - campaign.suppressed, 0)
    done = campaign.sent + campaign.failed
    return {
        "campaign": campaign,
        "figures": _figures(campaign),
        "done": done,
        "to_send": to_send,
        "live": campaign.status in LIVE,
    }


@require_GET
@firm_member
def email_campaign(request, pk: int):
    campaign = email_campaign_get(firm=request.firm, pk=pk)
    is_admin = _is_admin(request)
    moves = [m for m, (_f, states, _d) in CAMPAIGN_MOVES.items() if campaign.status in states]
    context = _progress_context(campaign) | {
        "is_admin": is_admin,
        "moves": moves if is_admin else [],
        "preview": sending.campaign_preview(campaign),
        "lists": campaign.lists.order_by("name"),
        "editable": is_admin and campaign.status in sending.EDITABLE,
        "schedule_form": EmailCampaignScheduleForm(),
        "test_form": EmailCampaignTestForm(),
        "zone": campaign.request.time_zone,
    }
    return render(request, "mailroom/campaign_detail.html", context)


@require_GET
@firm_member
def email_campaign_progress(request, pk: int):
    """The progress panel, polled by htmx while the campaign is scheduled or sending."""
    campaign = email_campaign_get(firm=request.firm, pk=pk)
    return render(request, "mailroom/campaign_progress.html", _progress_context(campaign))


@require_http_methods(["GET", "POST"])
@firm_member
def email_campaign_move(request, pk: int, move: str):
    """A lifecycle button (POST). Cancelling asks first: its GET is the confirmation page."""
    if move not in CAMPAIGN_MOVES or (request.method == "GET" and move != "cancel"):
        raise Http404("No such action.")
    if request.method == "GET":
        campaign = email_campaign_get(firm=request.firm, pk=pk)
        return confirm_page(
            request,
            title=f"Cancel “{campaign.name}”?",
            consequences=["Nothing more of it is sent, and it cannot be started again."],
            confirm_label="Cancel the campaign",
            cancel_url=reverse("mail_campaigns:detail", args=[pk]),
        )
    service, _states, done = CAMPAIGN_MOVES[move]
    try:
        service(actor=request.user, firm=request.firm, pk=pk)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("mail_campaigns:detail", pk=pk)


@require_POST
@firm_member
def email_campaign_schedule(request, pk: int):
    campaign = email_campaign_get(firm=request.firm, pk=pk)
    form = EmailCampaignScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a day and a time to send at.")
        return redirect("mail_campaigns:detail", pk=pk)
    local = form.cleaned_data["scheduled_at"].replace(tzinfo=None)
    at = local.replace(tzinfo=ZoneInfo(campaign.request.time_zone)).astimezone(dt.UTC)
    try:
        sending.campaign_schedule(actor=request.user, firm=request.firm, pk=pk, at=at)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Scheduled.")
    return redirect("mail_campaigns:detail", pk=pk)


@require_POST
@firm_member
def email_campaign_test(request, pk: int):
    form = EmailCampaignTestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Type the address to send the test to.")
        return redirect("mail_campaigns:detail", pk=pk)
    try:
        sending.campaign_test_send(
            actor=request.user, firm=request.firm, pk=pk, to=form.cleaned_data["to"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Test sent.")
    return redirect("mail_campaigns:detail", pk=pk)


@firm_member
def email_suppressions(request):
    form = EmailSuppressionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            suppression.suppression_add(
                actor=request.user, firm=request.firm, email=form.cleaned_data["email"]
            )
            messages.success(request, "Added: no campaign mails that address again.")
            return redirect("mail_campaigns:suppressions")
    entries = email_suppressions_of(firm=request.firm)[:500]
    context = {"form": form, "entries": entries, "is_admin": _is_admin(request)}
    return render(request, "mailroom/campaign_suppressions.html", context)


@require_http_methods(["GET", "POST"])
@firm_member
def email_suppression_remove(request, pk: int):
    """Taking an address off the list asks first: the GET is the confirmation page."""
    if request.method == "GET":
        entry = get_object_or_404(email_suppressions_of(firm=request.firm), pk=pk)
        return confirm_page(
            request,
            title=f"Mail {entry.email} again?",
            consequences=[f"Campaigns may mail it again (it was: {entry.get_reason_display()})."],
            confirm_label="Take it off the list",
            cancel_url=reverse("mail_campaigns:suppressions"),
        )
    try:
        suppression.suppression_remove(actor=request.user, firm=request.firm, pk=pk)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Taken off the list.")
    return redirect("mail_campaigns:suppressions")
