"""The client firm's pages. Every view reads and writes through request.firm only: another
firm's ids are 404s."""

import json

from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from agents.uploads import upload_refusal
from clients import contacts as contacts_service
from clients import customer_context, marketplace, quality, scripts, services
from clients import webhooks as webhooks_services
from clients.charts import request_charts
from clients.decorators import firm_member
from clients.forms import (
    ApiKeyForm,
    ContactSearchForm,
    ContactUploadForm,
    DispositionAddForm,
    DispositionEditForm,
    EndReasonForm,
    FirmForm,
    FirmTaxForm,
    InviteAcceptForm,
    InviteForm,
    LineAfterCallForm,
    LineContextForm,
    LineForm,
    LinePromptsForm,
    ReasonForm,
    RecordsForm,
    RequestForm,
    ScorecardForm,
    ScriptForm,
    WebhookEditForm,
    WebhookForm,
)
from clients.marketplace import estimate_for
from clients.models import (
    ContextSource,
    DispositionCode,
    Engagement,
    Language,
    StaffingRequest,
    WebhookDelivery,
)
from clients.prompts import spoken_language
from clients.selectors import (
    applications_to,
    contacts_of,
    engagements_of,
    line_prompts_of,
    lines_of,
    pool_of,
    request_supply,
    requests_of,
    scorecards_of,
    webhook_deliveries_of,
    webhooks_of,
)
from common.errors import ApplicationError
from common.keyset import Keyset
from common.views import confirm_page, errors_to_form, errors_to_message


def _admin_only(request) -> None:
    """A page for the firm's admins alone (the services check the seat again themselves)."""
    if not request.membership.is_admin:
        raise PermissionDenied("Only your firm's admins can do this.")


def _admin_posts_only(request) -> None:
    """Members read the page; only the firm's admins change anything on it (the services
    check the seat again themselves)."""
    if request.method == "POST":
        _admin_only(request)


@firm_member
def home(request):
    firm = request.firm
    requests = requests_of(firm=firm).filter(status=StaffingRequest.Status.OPEN)
    return render(
        request,
        "clients/home.html",
        {
            "firm": firm,
            "requests": requests[:10],
            "pending": sum(r.pending for r in requests),
            "engaged": engagements_of(firm=firm).filter(status=Engagement.Status.ACTIVE).count(),
            "lines": lines_of(firm=firm).count(),
        },
    )


# --- Firm settings: profile, people, API keys -------------------------------------------


# Every POST action of the settings page manages the firm: admins only. The services check
# the actor's seat again themselves (clients.services.require_firm_admin).
ADMIN_ACTIONS = frozenset({"profile", "invite", "create_key", "revoke_key", "remove_member"})


@firm_member
def settings_page(request):
    firm, user = request.firm, request.user
    action = request.POST.get("action")
    if request.method == "POST" and action in ADMIN_ACTIONS and not request.membership.is_admin:
        raise PermissionDenied("Only your firm's admins can do this.")
    firm_form = FirmForm(request.POST if action == "profile" else None, instance=firm)
    invite_form = InviteForm(request.POST if action == "invite" else None)
    key_form = ApiKeyForm(request.POST if action == "create_key" else None)
    new_key = None
    if action == "profile" and firm_form.is_valid():
        data = {f: firm_form.cleaned_data[f] for f in firm_form.Meta.fields}
        firm.refresh_from_db()  # the ModelForm already wrote the POST onto the instance
        with errors_to_form(firm_form):
            services.firm_update(firm=firm, user=user, **data)
            messages.success(request, "Firm details saved.")
            return redirect("clients:settings")
    elif action == "invite" and invite_form.is_valid():
        with errors_to_form(invite_form):
            base_url = request.build_absolute_uri("/")
            services.invite_create(
                firm=firm, invited_by=user, base_url=base_url, **invite_form.cleaned_data
            )
            messages.success(request, f"Invitation sent to {invite_form.cleaned_data['email']}.")
            return redirect("clients:settings")
    elif action == "create_key" and key_form.is_valid():
        with errors_to_form(key_form):
            _key, new_key = services.api_key_create(firm=firm, user=user, **key_form.cleaned_data)
    elif action in ("revoke_key", "remove_member"):
        return _settings_item_remove(request, action)
    return render(
        request,
        "clients/settings.html",
        {
            "firm": firm,
            "is_admin": request.membership.is_admin,
            "firm_form": firm_form,
            "invite_form": invite_form,
            "key_form": key_form,
            "new_key": new_key,
            "members": firm.members.select_related("user"),
            "invites": firm.invites.filter(accepted_at__isnull=True),
            "keys": firm.api_keys.all(),
            "action_profile": ("action", "profile"),
            "action_invite": ("action", "invite"),
            "action_create_key": ("action", "create_key"),
        },
    )


@require_GET
@firm_member
def api_key_revoke_confirm(request, pk: int):
    """What revoking a key does; the button posts to the settings page (its one write path)."""
    _admin_only(request)
    key = get_object_or_404(request.firm.api_keys.filter(revoked_at__isnull=True), pk=pk)
    return confirm_page(
        request,
        title=f"Revoke the API key “{key.name}”?",
        consequences=[
            f"Systems sending hsk_{key.prefix}_… are refused from now on; this cannot be undone.",
            "Make a new key first if a system still needs one.",
        ],
        action_url=reverse("clients:settings"),
        hidden=(("action", "revoke_key"), ("pk", key.pk)),
        confirm_label="Revoke the key",
        cancel_url=reverse("clients:settings") + "#api-keys",
    )


@require_GET
@firm_member
def member_remove_confirm(request, pk: int):
    """What removing a colleague does; the button posts to the settings page."""
    _admin_only(request)
    seat = get_object_or_404(request.firm.members.select_related("user"), pk=pk)
    return confirm_page(
        request,
        title=f"Remove {seat.user.name or seat.user.email} from {request.firm.name}?",
        consequences=[
            f"{seat.user.email} can no longer see or change anything of your firm.",
            "To have them back, invite them again.",
        ],
        action_url=reverse("clients:settings"),
        hidden=(("action", "remove_member"), ("pk", seat.pk)),
        confirm_label="Remove them",
        cancel_url=reverse("clients:settings"),
    )


@firm_member
def tax_details(request):
    """The firm's details for its tax invoices: its admins edit them, members read them."""
    firm = request.firm
    _admin_posts_only(request)
    form = FirmTaxForm(request.POST or None, initial=FirmTaxForm.initial_for(firm))
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            services.firm_tax_details_set(firm=firm, user=request.user, **form.cleaned_data)
            messages.success(request, "Tax details saved. Your next invoices carry them.")
            return redirect("clients:tax_details")
    return render(
        request,
        "clients/tax_details.html",
        {"firm": firm, "form": form, "can_edit": request.membership.is_admin},
    )


@errors_to_message("clients:settings")
def _settings_item_remove(request, action: str):
    """A button on the settings page: revoke an API key, or take a member out of the firm."""
    try:
        pk = int(request.POST.get("pk", 0))
    except ValueError:
        messages.error(request, "No such item.")
        return redirect("clients:settings")
    if action == "revoke_key":
        services.api_key_revoke(firm=request.firm, user=request.user, key_id=pk)
    else:
        services.member_remove(firm=request.firm, user=request.user, member_id=pk)
    messages.success(request, "Done.")
    return redirect("clients:settings")


def invite_accept(request, token: str):
    """Public: the emailed link. Sets up the account, then signs the new user in."""
    invite = services.invite_get(token=token)
    if invite is None:
        return render(request, "clients/invite_invalid.html", status=404)
    form = InviteAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            user = services.invite_accept(token=token, **form.cleaned_data)
            return perform_login(request, user, redirect_url="/client/")
    return render(request, "clients/invite_accept.html", {"invite": invite, "form": form})


# --- Phone lines ------------------------------------------------------------------------


@firm_member
def lines(request):
    return render(request, "clients/lines.html", {"lines": lines_of(firm=request.firm)})


@firm_member
def line_edit(request, pk: int | None = None):
    line = get_object_or_404(lines_of(firm=request.firm), pk=pk) if pk else None
    initial = {}
    if line is not None:
        langs = list(line.languages.all())
        initial = {
            "number": line.number,
            "name": line.name,
            "domain": line.domain,
            "sub_skill": line.sub_skill,
            "region": line.region_name.split(",")[0],
            "time_zone": line.time_zone,
            "business_days": list(line.business_days),
            "opens_at": line.opens_at,
            "closes_at": line.closes_at,
            "ring_timeout_seconds": line.ring_timeout_seconds,
            "wrap_up_seconds": line.wrap_up_seconds,
            "max_wait_seconds": line.max_wait_seconds,
            "service_level_target_seconds": line.service_level_target_seconds,
        }
        for i, lang in enumerate(langs[:3], start=1):
            initial[f"language_{i}"], initial[f"digit_{i}"] = lang.language, lang.menu_digit
    form = LineForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            services.line_save(firm=request.firm, line=line, **form.service_kwargs())
            messages.success(request, "Line saved.")
            return redirect("clients:lines")
    return render(request, "clients/line_form.html", {"form": form, "line": line})


@firm_member
def line_after_call(request, pk: int):
    """The line's survey, sticky agent and escalation number: admins edit, members read."""
    line = get_object_or_404(lines_of(firm=request.firm), pk=pk)
    _admin_posts_only(request)
    form = LineAfterCallForm(request.POST or None, initial=LineAfterCallForm.initial_for(line))
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            services.line_after_call_set(
                firm=request.firm, user=request.user, line=line, **form.cleaned_data
            )
            messages.success(request, "After-call settings saved.")
            return redirect("clients:line", pk=line.pk)
    context = {"form": form, "line": line, "can_edit": request.membership.is_admin}
    return render(request, "clients/line_after_call.html", context)


@firm_member
def line_prompts(request, pk: int, language: str):
    """What callers of the line hear in `language`, in the firm's own words or the catalogue's."""
    line = get_object_or_404(lines_of(firm=request.firm), pk=pk)
    offered = [x.language for x in line.languages.all()]
    if language not in offered:
        raise Http404("The line does not offer this language.")
    own = line_prompts_of(firm=request.firm, line=line)
    initial = {key: text for (lang, key), text in own.items() if lang == language}
    form = LinePromptsForm(
        request.POST or None, initial=initial, language=language, offered=offered
    )
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            services.line_prompts_set(
                firm=request.firm, line=line, language=language, texts=form.cleaned_data
            )
            messages.success(request, "Prompts saved.")
            return redirect("clients:line", pk=line.pk)
    names = dict(Language.choices)
    spoken = spoken_language(language, offered=offered)
    context = {"form": form, "line": line, "language_name": names[language]}
    context["spoken_name"] = names[spoken] if spoken != language else ""
    return render(request, "clients/line_prompts.html", context)


# --- Staffing requests, pool, engagements ----------------------------------------------


@firm_member
def requests(request):
    return render(request, "clients/requests.html", {"requests": requests_of(firm=request.firm)})


@firm_member
def request_new(request):
    form = RequestForm(request.POST or None, firm=request.firm)
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            created = marketplace.staffing_request_create(
                firm=request.firm, user=request.user, **form.service_kwargs()
            )
            messages.success(request, "Request posted: matching agents can apply now.")
            return redirect("clients:request", pk=created.pk)
    return render(request, "clients/request_form.html", {"form": form})


@firm_member
def request_detail(request, pk: int):
    staffing = get_object_or_404(requests_of(firm=request.firm), pk=pk)
    estimate = estimate_for(
        calls_per_hour=staffing.calls_per_hour,
        aht_seconds=staffing.aht_seconds,
        target_level=staffing.target_level,
        target_seconds=staffing.target_seconds,
        shrinkage=staffing.shrinkage,
    )
    supply = request_supply(request=staffing)
    return render(
        request,
        "clients/request_detail.html",
        {
            "req": staffing,
            "estimate": estimate,
            "supply": supply,
            "pool": pool_of(request=staffing),
            "engagements": engagements_of(firm=request.firm).filter(request=staffing),
            "charts": request_charts(request=staffing, estimate=estimate, supply=supply),
            "reason_form": ReasonForm(),
        },
    )


@firm_member
def request_close(request, pk: int):
    """GET: what closing it does; POST: closes it."""
    staffing = get_object_or_404(requests_of(firm=request.firm), pk=pk)
    if staffing.status != StaffingRequest.Status.OPEN:
        messages.info(request, "This request is already closed.")
        return redirect("clients:request", pk=pk)
    if request.method == "POST":
        marketplace.staffing_request_close(request=staffing)
        messages.success(request, "Request closed; pending applicants were told.")
        return redirect("clients:request", pk=pk)
    return confirm_page(
        request,
        title=f"Close “{staffing.title}”?",
        consequences=[
            "Agents can no longer apply to it.",
            f"{staffing.pending} pending applicant(s) are declined with “The request was closed.”",
            "Agents already engaged keep working until their engagement's end date.",
        ],
        confirm_label="Close the request",
        cancel_url=reverse("clients:request", args=[pk]),
    )


def _back_to_the_request(request, error, pk: int):
    messages.error(request, error.message)
    application = get_object_or_404(applications_to(firm=request.firm), pk=pk)
    return redirect("clients:request", pk=application.request_id)


@require_POST
@firm_member
@errors_to_message(_back_to_the_request)
def application_decide(request, pk: int):
    application = get_object_or_404(applications_to(firm=request.firm), pk=pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    approve = request.POST.get("decision") == "approve"
    marketplace.application_decide(
        firm=request.firm,
        application_id=application.pk,
        approve=approve,
        reason=form.cleaned_data.get("reason", ""),
        user=request.user,
    )
    messages.success(request, f"{application.agent} {'approved' if approve else 'declined'}.")
    return redirect("clients:request", pk=application.request_id)


@firm_member
def engagements(request):
    return render(
        request,
        "clients/engagements.html",
        {
            "engagements": engagements_of(firm=request.firm),
            "reason_form": ReasonForm(),
        },
    )


@firm_member
def engagement_end(request, pk: int):
    """GET: what ending it does, and the reason to give; POST: ends it."""
    engagement = get_object_or_404(engagements_of(firm=request.firm), pk=pk)
    if request.method == "GET" and engagement.status != Engagement.Status.ACTIVE:
        messages.info(request, "This engagement has already ended.")
        return redirect("clients:engagements")
    form = EndReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            marketplace.engagement_end(
                engagement_id=pk, firm=request.firm, user=request.user, **form.cleaned_data
            )
            messages.success(request, "Engagement ended.")
            return redirect("clients:engagements")
    return confirm_page(
        request,
        title=f"End {engagement.agent.full_name}'s engagement on “{engagement.request.title}”?",
        consequences=[
            "Calls stop going to this agent for your lines at once.",
            "Calls they have already taken are billed as usual.",
            "The agent sees that it ended and your reason.",
        ],
        form=form,
        confirm_label="End the engagement",
        cancel_url=reverse("clients:engagements"),
    )


# --- Quality: the firm's scorecards (issue 16) --------------------------------------------


@firm_member
def scorecards(request):
    """The firm's scorecards; admins create and edit them (the service checks the seat too)."""
    return render(
        request,
        "clients/scorecards.html",
        {"scorecards": scorecards_of(firm=request.firm), "is_admin": request.membership.is_admin},
    )


@firm_member
def scorecard_edit(request, pk: int | None = None):
    found = get_object_or_404(scorecards_of(firm=request.firm), pk=pk) if pk else None
    _admin_posts_only(request)
    criteria = list(found.criteria.all()) if found else []
    initial = {"name": found.name, "is_active": found.is_active} if found else {}
    form = ScorecardForm(request.POST or None, initial=initial, criteria=criteria)
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            quality.scorecard_save(
                firm=request.firm,
                user=request.user,
                scorecard_id=found.pk if found else None,
                name=form.cleaned_data["name"],
                is_active=form.cleaned_data["is_active"],
                criteria=form.criteria(),
            )
            messages.success(request, "Scorecard saved.")
            return redirect("clients:scorecards")
    return render(
        request,
        "clients/scorecard_form.html",
        {"form": form, "scorecard": found, "is_admin": request.membership.is_admin},
    )


# --- A line's customer context, and the firm's contacts (issue 16) ------------------------

# A page showing a secret once: no cache (nor the back button's) may keep a copy of it.
SHOWN_ONCE = "private, no-store"

CONTACT_PAGES = Keyset("firm.contacts", ["name", "pk"], size=50)


@firm_member
def line_context(request, pk: int):
    """Where the line's customer context comes from, what the agent sees, the lookup's
    secret (shown once) and a test request. Changes: the firm's admins only."""
    line = get_object_or_404(lines_of(firm=request.firm), pk=pk)
    action = request.POST.get("action")
    _admin_posts_only(request)
    form = LineContextForm(
        request.POST if action == "save" else None, initial=LineContextForm.initial_for(line)
    )
    new_secret, tested = "", None
    if action == "save" and form.is_valid():
        with errors_to_form(form):
            new_secret = customer_context.line_context_set(
                line=line, user=request.user, **form.cleaned_data
            )
            messages.success(request, "Customer context saved.")
            if not new_secret:
                return redirect("clients:line_context", pk=line.pk)
            line.refresh_from_db()
    elif action == "rotate":
        new_secret = customer_context.line_context_secret_rotate(line=line, user=request.user)
    elif action == "test":
        with errors_to_form(form):
            answer, rows, error = customer_context.line_context_test(line=line, user=request.user)
            tested = {"answer": answer, "rows": rows, "error": error}
    context = {
        "line": line,
        "form": form,
        "is_admin": request.membership.is_admin,
        "new_secret": new_secret,
        "tested": tested,
        "offered": customer_context.contact_field_names(firm=request.firm),
        "lookup": ContextSource.LOOKUP,
        "timeout": settings.CONTEXT_LOOKUP_TIMEOUT_SECONDS,
    }
    response = render(request, "clients/line_context.html", context)
    if new_secret:
        response["Cache-Control"] = SHOWN_ONCE
    return response


@require_GET
@firm_member
def line_context_rotate_confirm(request, pk: int):
    """What rotating the secret does; the button posts to the line's context page."""
    _admin_only(request)
    line = get_object_or_404(lines_of(firm=request.firm), pk=pk)
    url = reverse("clients:line_context", args=[line.pk])
    return confirm_page(
        request,
        title=f"Make a new signing secret for “{line.name}”'s lookup?",
        consequences=[
            "Requests are signed with the new secret at once: your endpoint must verify"
            " with it, or agents on this line get no context.",
            "The new secret is shown once, on the next page.",
        ],
        action_url=url,
        hidden=(("action", "rotate"),),
        confirm_label="Make a new secret",
        cancel_url=url,
    )


@firm_member
def contacts(request):
    """The firm's contact records, by name, a page at a time; search by name or number. The
    firm's own data: its users see the numbers whole."""
    form = ContactSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    rows = contacts_of(firm=request.firm, q=q)
    page = CONTACT_PAGES.page(rows, cursor=request.GET.get("cursor"), query=request.GET.dict())
    return render(
        request,
        "clients/contacts.html",
        {"form": form, "page": page, "is_admin": request.membership.is_admin},
    )


@firm_member
def contacts_upload(request):
    """Upload contacts as CSV: all or nothing, every bad row named. Admins only."""
    _admin_only(request)
    posted = request.method == "POST"  # bound even when the refusal left no field parsed
    form = ContactUploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        refused=upload_refusal(request),
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with errors_to_form(form):
            if upload.size > contacts_service.MAX_BYTES:
                raise contacts_service.ImportRefused(["The file is larger than 5 MB."])
            result = contacts_service.contacts_import(
                firm=request.firm, user=request.user, data=upload.read()
            )
            messages.success(
                request,
                f"{result.rows} rows imported: {result.created} new contacts,"
                f" {result.updated} updated.",
            )
            return redirect("clients:contacts")
    limits = {
        "rows": f"{contacts_service.MAX_ROWS:,}",
        "columns": contacts_service.MAX_FIELD_COLUMNS,
    }
    return render(request, "clients/contacts_upload.html", {"form": form, "limits": limits})


# --- Webhooks: events out to the firm's own servers (issue 16) ----------------------------
# Every member reads the endpoints and their delivery log (payloads carry the firm's own
# calls, never a secret); only admins change them — the views check the seat to answer 403
# early, and the services (clients.webhooks) check it again themselves.

WEBHOOK_DELIVERY_PAGES = Keyset("firm.webhook_deliveries", ["-created_at", "-pk"], size=50)


def _secret_page(request, endpoint, secret: str, *, created: bool):
    response = render(
        request,
        "clients/webhook_secret.html",
        {"endpoint": endpoint, "secret": secret, "created": created},
    )
    response["Cache-Control"] = SHOWN_ONCE  # nor kept by the browser's cache or back button
    return response


@firm_member
def webhooks(request):
    """The firm's endpoints and their health; admins add one here (its secret shown once)."""
    form = WebhookForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        _admin_only(request)
        if form.is_valid():
            with errors_to_form(form):
                endpoint, secret = webhooks_services.webhook_create(
                    firm=request.firm, user=request.user, **form.cleaned_data
                )
                return _secret_page(request, endpoint, secret, created=True)
    return render(
        request,
        "clients/webhooks.html",
        {
            "endpoints": webhooks_of(firm=request.firm),
            "form": form,
            "is_admin": request.membership.is_admin,
        },
    )


@firm_member
def webhook(request, pk: int):
    """One endpoint: its health, its settings (admins change them) and its delivery log."""
    endpoint = get_object_or_404(webhooks_of(firm=request.firm), pk=pk)
    initial = {k: getattr(endpoint, k) for k in ("url", "events", "description", "is_active")}
    form = WebhookEditForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        _admin_only(request)
        if form.is_valid():
            with errors_to_form(form):
                webhooks_services.webhook_update(
                    firm=request.firm, user=request.user, endpoint_id=pk, **form.cleaned_data
                )
                messages.success(request, "Endpoint saved.")
                return redirect("clients:webhook", pk=pk)
    log = webhook_deliveries_of(firm=request.firm, endpoint_id=pk)
    page = WEBHOOK_DELIVERY_PAGES.page(log, cursor=request.GET.get("cursor"))
    return render(
        request,
        "clients/webhook.html",
        {
            "endpoint": endpoint,
            "form": form,
            "page": page,
            "is_admin": request.membership.is_admin,
        },
    )


@require_POST
@firm_member
def webhook_rotate(request, pk: int):
    _admin_only(request)
    endpoint = get_object_or_404(request.firm.webhooks, pk=pk)
    secret = webhooks_services.webhook_secret_rotate(
        firm=request.firm, user=request.user, endpoint_id=pk
    )
    return _secret_page(request, endpoint, secret, created=False)


@require_POST
@firm_member
@errors_to_message("clients:webhook", "pk")
def webhook_resume(request, pk: int):
    _admin_only(request)
    get_object_or_404(request.firm.webhooks, pk=pk)
    waiting = webhooks_services.webhook_resume(firm=request.firm, user=request.user, endpoint_id=pk)
    messages.success(request, f"Resumed: {waiting} waiting deliveries are sent within a minute.")
    return redirect("clients:webhook", pk=pk)


@firm_member
def webhook_delete(request, pk: int):
    """GET: what deleting does; POST: delete."""
    _admin_only(request)
    endpoint = get_object_or_404(request.firm.webhooks, pk=pk)
    if request.method == "POST":
        webhooks_services.webhook_delete(firm=request.firm, user=request.user, endpoint_id=pk)
        messages.success(request, "Endpoint removed.")
        return redirect("clients:webhooks")
    return confirm_page(
        request,
        title=f"Remove the endpoint {endpoint.url}?",
        consequences=[
            "No more events are sent to it; those still waiting are dropped.",
            "Its delivery log goes with it. This cannot be undone.",
        ],
        confirm_label="Remove endpoint",
        cancel_url=reverse("clients:webhook", args=[pk]),
    )


@firm_member
def webhook_delivery(request, pk: int, delivery_pk: int):
    """One delivery: the JSON sent, every try with its answer; admins replay it."""
    delivery = get_object_or_404(
        WebhookDelivery.objects.select_related("endpoint").filter(
            endpoint_id=pk, endpoint__firm=request.firm
        ),
        pk=delivery_pk,
    )
    return render(
        request,
        "clients/webhook_delivery.html",
        {
            "delivery": delivery,
            "payload": json.dumps(delivery.payload, indent=2, ensure_ascii=False),
            "tries": delivery.tries.all()[:100],
            "is_admin": request.membership.is_admin,
        },
    )


@require_POST
@firm_member
@errors_to_message("clients:webhook_delivery", "pk", "delivery_pk")
def webhook_replay(request, pk: int, delivery_pk: int):
    _admin_only(request)
    get_object_or_404(WebhookDelivery, pk=delivery_pk, endpoint_id=pk, endpoint__firm=request.firm)
    webhooks_services.webhook_replay(firm=request.firm, user=request.user, delivery_id=delivery_pk)
    messages.success(request, "Sent again with the same webhook-id.")
    return redirect("clients:webhook_delivery", pk=pk, delivery_pk=delivery_pk)


@require_POST
@firm_member
def records_settings(request):
    """The firm's call records: whether the agents' notes go out in them (admins)."""
    _admin_only(request)
    form = RecordsForm(request.POST)
    if form.is_valid():
        webhooks_services.firm_records_notes_set(
            firm=request.firm, user=request.user, **form.cleaned_data
        )
        messages.success(request, "Call records setting saved.")
    return redirect("clients:settings")


# --- A line's scripts and disposition codes (the agent's workspace, issue 16) --------------


@firm_member
def line_scripts(request, pk: int):
    """The line's script per language ("": the default), edited with a preview, and every
    version kept."""
    line = get_object_or_404(lines_of(firm=request.firm), pk=pk)
    _admin_posts_only(request)
    offered = [x.language for x in line.languages.all()]
    language = request.GET.get("language", "")
    if language and language not in offered:
        raise Http404("The line does not offer this language.")
    versions = list(scripts.script_versions(line, language))
    form = ScriptForm(request.POST or None, initial={"body": versions[0].body if versions else ""})
    preview = None
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "preview":
            preview = scripts.script_html(form.cleaned_data["body"])
        else:
            with errors_to_form(form):
                saved = scripts.script_save(
                    actor=request.user, line=line, language=language, body=form.cleaned_data["body"]
                )
                messages.success(request, f"Script saved as version {saved.version}.")
                url = reverse("clients:line_scripts", args=[line.pk])
                return redirect(f"{url}?language={language}" if language else url)
    names = dict(Language.choices)
    tabs = [("", "Default (any language)")] + [(code, names[code]) for code in offered]
    context = {
        "line": line,
        "form": form,
        "preview": preview,
        "language": language,
        "language_name": dict(tabs)[language],
        "tabs": tabs,
        "versions": [(v, scripts.script_html(v.body)) for v in versions],
        "can_edit": request.membership.is_admin,
    }
    return render(request, "clients/line_scripts.html", context)


DISPOSITION_ACTIONS = frozenset({"add", "relabel", "up", "down", "retire", "restore"})


def _disposition_action(request, line, action: str):
    """One change to the line's codes; returns the form to show again on an error."""
    if action == "add":
        form = DispositionAddForm(request.POST)
        if form.is_valid():
            with errors_to_form(form):
                scripts.disposition_add(actor=request.user, line=line, **form.cleaned_data)
                return None
        return form
    code_id = request.POST.get("code_id", "")
    if not (code_id.isascii() and code_id.isdigit()) or len(code_id) > 12:
        raise Http404("No such code.")
    code_id = int(code_id)
    if action == "relabel":
        form = DispositionEditForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Give the code a label and a kind.")
            return None
        scripts.disposition_relabel(
            actor=request.user, line=line, code_id=code_id, **form.cleaned_data
        )
    elif action in {"up", "down"}:
        scripts.disposition_move(actor=request.user, line=line, code_id=code_id, up=action == "up")
    else:
        scripts.disposition_retire(
            actor=request.user, line=line, code_id=code_id, active=action == "restore"
        )
    return None


@firm_member
def line_dispositions(request, pk: int):
    """The line's wrap-up codes: add, relabel, reorder, retire (never delete a used one)."""
    line = get_object_or_404(lines_of(firm=request.firm), pk=pk)
    _admin_posts_only(request)
    add_form = DispositionAddForm()
    action = request.POST.get("action", "")
    if request.method == "POST" and action in DISPOSITION_ACTIONS:
        try:
            refused = _disposition_action(request, line, action)
        except ApplicationError as error:
            messages.error(request, error.message)
            refused = None
        else:
            if refused is None:
                messages.success(request, "Codes saved.")
        if refused is None:
            return redirect("clients:line_dispositions", pk=line.pk)
        add_form = refused
    codes = line.dispositions.annotate(used=Count("calls")).order_by("position", "id")
    context = {
        "line": line,
        "codes": codes,
        "add_form": add_form,
        "kinds": DispositionCode.Kind.choices,
        "can_edit": request.membership.is_admin,
    }
    return render(request, "clients/line_dispositions.html", context)
