"""client_views (issue 18)."""

# --- H4 (campaigns): the firm's email campaign pages (/client/email-campaigns/) -----------
# Every member of the firm sees them; only its admins act (the services check it again).
import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clients.decorators import firm_member
from common.errors import ApplicationError
from common.views import confirm_page, errors_to_form
from mailroom import sending, suppression
from mailroom.client_forms import (
    EmailCampaignForm,
    EmailCampaignScheduleForm,
    EmailCampaignTestForm,
    EmailSuppressionForm,
)
from mailroom.models import EmailCampaign
from mailroom.selectors import (
    email_campaign_get,
    email_campaigns_of,
    email_suppressions_of,
)

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
