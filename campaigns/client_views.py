"""The firm's outbound pages (/client/outbound/). Lists, imports and do-not-call first; the
campaign pages follow at the end of the file.

A list's contacts are the firm's own data: its users see the numbers whole. Who changes them:
a partial-BPO firm's admins; a complete-BPO firm's lists are the agency's to keep (its users
view them; the staff pages, campaigns.staff_views, upload for it with these same helpers).
"""

import datetime as dt
import json
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from agents.uploads import upload_refusal
from campaigns import lifecycle
from campaigns.forms import (
    CampaignAgentsForm,
    CampaignForm,
    ContactListForm,
    ImportUploadForm,
    SuppressionAddForm,
)
from campaigns.imports import (
    contact_list_create,
    import_start,
    list_keeper,
    suppression_add,
    suppression_remove,
)
from campaigns.models import (
    Attempt,
    Campaign,
    CampaignContact,
    ContactList,
    ImportJob,
    SuppressionEntry,
)
from campaigns.selectors import (
    PROOF_COLUMNS,
    attempts_for,
    campaign_figures,
    campaign_get,
    campaigns_for_firm,
    contact_get,
    contact_lists_of,
    contact_proof,
    engagements_for_campaign,
    figures_by_campaign,
    import_get,
    imports_of,
    list_members,
    proof_row,
    suppression_entries,
    suppression_version,
)
from clients.decorators import firm_member
from common.csvfile import csv_response
from common.keyset import Keyset
from common.views import confirm_page, errors_to_form, errors_to_message

Kind = ImportJob.Kind
MEMBER_PAGES = Keyset("outbound.list_members", ["pk"])
SUPPRESSION_PAGES = Keyset("outbound.suppression", ["-created_at", "-pk"])
CONTACTS_HELP = (
    "Columns: number (several separated by ;), name, language, external_id, time_zone, then "
    "your own fields."
)
SUPPRESSION_HELP = "A number column; other columns are ignored."


@dataclass(frozen=True)
class Pages:
    """Where a set of these pages lives: the firm's (no firm in the URL) or the staff's
    (/staff/outbound/firms/<firm>/…), so both draw the same templates."""

    namespace: str
    firm_args: tuple = ()

    def url(self, name: str, *args) -> str:
        return reverse(f"{self.namespace}:{name}", args=[*self.firm_args, *args])


FIRM_PAGES = Pages("outbound")


def _keeper_only(request, firm) -> None:
    if not list_keeper(user=request.user, firm=firm):
        raise PermissionDenied("Only the keepers of these lists change them.")


def lists_page(request, *, firm, pages: Pages):
    keeper = list_keeper(user=request.user, firm=firm)
    form = ContactListForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        _keeper_only(request, firm)
        if form.is_valid():
            with errors_to_form(form):
                made = contact_list_create(
                    actor=request.user, firm=firm, name=form.cleaned_data["name"]
                )
                return redirect(pages.url("list", made.pk))
    rows = [(cl, pages.url("list", cl.pk)) for cl in contact_lists_of(firm=firm)]
    context = {"firm": firm, "rows": rows, "form": form, "keeper": keeper, "pages": pages}
    context["dnc_url"] = pages.url("dnc")
    return render(request, "campaigns/lists.html", context)


def list_page(request, *, firm, pk: int, pages: Pages, form=None, status: int = 200):
    contact_list = get_object_or_404(ContactList, firm=firm, pk=pk)
    jobs = imports_of(firm=firm, kind=Kind.CONTACTS).filter(contact_list=contact_list)[:10]
    context = {
        "firm": firm,
        "contact_list": contact_list,
        "keeper": list_keeper(user=request.user, firm=firm),
        "form": form or ImportUploadForm(help_text=CONTACTS_HELP),
        "upload_url": pages.url("list_upload", contact_list.pk),
        "contacts_url": pages.url("list_contacts", contact_list.pk),
        "lists_url": pages.url("lists"),
        "jobs": [(job, pages.url("import", job.pk)) for job in jobs],
    }
    return render(request, "campaigns/list.html", context, status=status)


def upload_form(request, *, help_text: str) -> ImportUploadForm:
    return ImportUploadForm(
        request.POST, request.FILES, refused=upload_refusal(request), help_text=help_text
    )


def list_upload_page(request, *, firm, pk: int, pages: Pages):
    _keeper_only(request, firm)
    contact_list = get_object_or_404(ContactList, firm=firm, pk=pk)
    form = upload_form(request, help_text=CONTACTS_HELP)
    if form.is_valid():
        with errors_to_form(form):
            job = import_start(
                actor=request.user,
                kind=Kind.CONTACTS,
                firm=firm,
                contact_list=contact_list,
                upload=form.cleaned_data["file"],
            )
            return redirect(pages.url("import", job.pk))
    return list_page(request, firm=firm, pk=pk, pages=pages, form=form, status=400)


def members_page(request, *, firm, pk: int, pages: Pages):
    contact_list = get_object_or_404(ContactList, firm=firm, pk=pk)
    rows = list_members(contact_list=contact_list)
    page = MEMBER_PAGES.page(rows, cursor=request.GET.get("cursor"))
    context = {"contact_list": contact_list, "page": page, "list_url": pages.url("list", pk)}
    return render(request, "campaigns/list_contacts.html", context)


def import_page(request, *, job: ImportJob | None, pages: Pages, back_url: str, fragment=False):
    if job is None:
        raise Http404("No such import.")
    context = {
        "job": job,
        "progress_url": pages.url("import_progress", job.pk),
        "back_url": back_url,
        "more_bad": max(0, job.rows_bad - len(job.errors)),
        "live": job.status not in ImportJob.FINAL,
    }
    template = "campaigns/_import_progress.html" if fragment else "campaigns/import.html"
    return render(request, template, context)


def job_back_url(job: ImportJob, pages: Pages) -> str:
    if job.kind == Kind.CONTACTS and job.contact_list_id:
        return pages.url("list", job.contact_list_id)
    return pages.url("dnc")


def dnc_page(request, *, firm, pages: Pages, form=None, upload=None, status: int = 200):
    keeper = list_keeper(user=request.user, firm=firm)
    if request.method == "POST" and form is None:  # adding one number
        _keeper_only(request, firm)
        form = SuppressionAddForm(request.POST)
        if form.is_valid():
            with errors_to_form(form):
                suppression_add(
                    actor=request.user,
                    firm=firm,
                    number=form.cleaned_data["number"],
                    source=SuppressionEntry.Source.ADDED,
                )
                messages.success(request, "The number is on your do-not-call list.")
                return redirect(pages.url("dnc"))
    rows = suppression_entries(firm=firm)
    page = SUPPRESSION_PAGES.page(rows, cursor=request.GET.get("cursor"))
    jobs = imports_of(firm=firm, kind=Kind.SUPPRESSION)[:5]
    context = {
        "firm": firm,
        "keeper": keeper,
        "page": page,
        "entries": [(e, pages.url("dnc_remove", e.pk)) for e in page],
        "version": suppression_version(firm=firm),
        "form": form or SuppressionAddForm(),
        "upload": upload or ImportUploadForm(help_text=SUPPRESSION_HELP),
        "dnc_url": pages.url("dnc"),
        "upload_url": pages.url("dnc_upload"),
        "lists_url": pages.url("lists"),
        "jobs": [(job, pages.url("import", job.pk)) for job in jobs],
    }
    return render(request, "campaigns/dnc.html", context, status=status)


def dnc_upload_page(request, *, firm, pages: Pages):
    _keeper_only(request, firm)
    upload = upload_form(request, help_text=SUPPRESSION_HELP)
    if upload.is_valid():
        with errors_to_form(upload):
            job = import_start(
                actor=request.user,
                kind=Kind.SUPPRESSION,
                firm=firm,
                upload=upload.cleaned_data["file"],
            )
            return redirect(pages.url("import", job.pk))
    return dnc_page(
        request, firm=firm, pages=pages, form=SuppressionAddForm(), upload=upload, status=400
    )


def dnc_remove_page(request, *, firm, pk: int, pages: Pages):
    _keeper_only(request, firm)
    entry = get_object_or_404(SuppressionEntry, firm=firm, pk=pk)
    if request.method == "POST":
        suppression_remove(actor=request.user, firm=firm, number=str(entry.number))
        messages.success(request, "The number is off your do-not-call list.")
        return redirect(pages.url("dnc"))
    return confirm_page(
        request,
        title=f"Take {entry.number.as_international} off the do-not-call list?",
        consequences=["Campaigns may call it again, within their rules and the registry's."],
        confirm_label="Take it off",
        cancel_url=pages.url("dnc"),
    )


# --- Pages: lists, imports and do-not-call -------------------------------------------------


@firm_member
def lists(request):
    """The firm's lists: name, members, version, latest import; a new list (keepers)."""
    return lists_page(request, firm=request.firm, pages=FIRM_PAGES)


@firm_member
@require_GET
def list_detail(request, pk: int):
    """A list, its imports, and the upload form (keepers)."""
    return list_page(request, firm=request.firm, pk=pk, pages=FIRM_PAGES)


@firm_member
@require_POST
def list_upload(request, pk: int):
    """Upload contacts (CSV or XLSX) into a list: imported in the background."""
    return list_upload_page(request, firm=request.firm, pk=pk, pages=FIRM_PAGES)


@firm_member
@require_GET
def list_contacts(request, pk: int):
    """A list's contacts, a page at a time, numbers whole (the firm's own data)."""
    return members_page(request, firm=request.firm, pk=pk, pages=FIRM_PAGES)


@firm_member
@require_GET
def import_detail(request, pk: int):
    """An import's progress, counts and bad rows."""
    job = import_get(firm=request.firm, pk=pk)
    back = job_back_url(job, FIRM_PAGES) if job else ""
    return import_page(request, job=job, pages=FIRM_PAGES, back_url=back)


@firm_member
@require_GET
def import_progress(request, pk: int):
    """The progress fragment the import page polls every second (htmx)."""
    job = import_get(firm=request.firm, pk=pk)
    return import_page(request, job=job, pages=FIRM_PAGES, back_url="", fragment=True)


@firm_member
def dnc(request):
    """The firm's do-not-call list: entries by date, add one number, upload a file."""
    return dnc_page(request, firm=request.firm, pages=FIRM_PAGES)


@firm_member
@require_POST
def dnc_upload(request):
    return dnc_upload_page(request, firm=request.firm, pages=FIRM_PAGES)


@firm_member
def dnc_remove(request, pk: int):
    """Confirm, then take a number off the do-not-call list."""
    return dnc_remove_page(request, firm=request.firm, pk=pk, pages=FIRM_PAGES)


# --- Campaign pages (appended below) --------------------------------------------------------


# --- Campaigns (issue 17: the lifecycle) ---------------------------------------------------
# Every lookup goes through the firm's own selectors (another firm's id is a 404). The firm's
# admins run a partial-BPO firm's campaigns; a complete-BPO firm's are run by the agency and
# its people read them (the services check again: lifecycle.require_campaign_runner).

CAMPAIGN_PAGES = Keyset("firm.campaigns", ["-created_at", "-pk"], size=50)
ATTEMPT_PAGES = Keyset("firm.campaign_attempts", ["-created_at", "-pk"], size=50)
MOVES = {
    "schedule": (lifecycle.campaign_schedule, "Campaign scheduled: its contacts are listed."),
    "start": (lifecycle.campaign_start, "Campaign started: agents get its contacts now."),
    "pause": (lifecycle.campaign_pause, "Campaign paused: no new calls are made."),
    "resume": (lifecycle.campaign_resume, "Campaign resumed."),
    "complete": (lifecycle.campaign_complete, "Campaign completed: nobody is called again."),
}
# The buttons a campaign's page offers in each state (the services decide again).
MOVES_FROM = {
    Campaign.Status.DRAFT: ["schedule"],
    Campaign.Status.SCHEDULED: ["start"],
    Campaign.Status.RUNNING: ["pause", "complete"],
    Campaign.Status.PAUSED: ["resume", "complete"],
    Campaign.Status.COMPLETED: [],
}


def _runners_only(request) -> None:
    if not lifecycle.can_run_campaigns(user=request.user, firm=request.firm):
        who = "the agency" if not request.firm.is_partial else "your firm's admins"
        raise PermissionDenied(f"Campaigns are run by {who}.")


def _new_campaign_initial() -> dict:
    today = timezone.localdate()
    defaults = {
        name: Campaign._meta.get_field(name).default
        for name in CampaignForm.base_fields
        if name.startswith(("retry_", "max_"))
    }
    return defaults | {
        "purpose": Campaign.Purpose.SERVICE,
        "mode": Campaign.Mode.PREVIEW,
        "starts_on": today,
        "ends_on": today + dt.timedelta(days=30),
        "window_start": "09:00",
        "window_end": "21:00",
    }


@firm_member
def campaigns(request):
    page = CAMPAIGN_PAGES.page(
        campaigns_for_firm(firm=request.firm), cursor=request.GET.get("cursor")
    )
    figures = figures_by_campaign(campaign_ids=[c.pk for c in page.rows])
    return render(
        request,
        "campaigns/campaigns.html",
        {
            "page": page,
            "rows": [(c, figures[c.pk]) for c in page.rows],
            "can_run": lifecycle.can_run_campaigns(user=request.user, firm=request.firm),
        },
    )


@firm_member
def campaign_new(request):
    _runners_only(request)
    form = CampaignForm(request.POST or None, firm=request.firm, initial=_new_campaign_initial())
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            campaign = lifecycle.campaign_create(
                actor=request.user,
                firm=request.firm,
                lists=list(form.cleaned_data["lists"]),
                **form.service_kwargs(),
            )
            messages.success(request, "Campaign saved as a draft: now choose its agents.")
            return redirect("outbound:campaign_agents", pk=campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": None})


@firm_member
def campaign_edit(request, pk: int):
    campaign = campaign_get(firm=request.firm, pk=pk)
    _runners_only(request)
    form = CampaignForm(
        request.POST or None, firm=request.firm, initial=CampaignForm.initial_for(campaign)
    )
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            lifecycle.campaign_update(
                actor=request.user,
                campaign=campaign,
                lists=list(form.cleaned_data["lists"]),
                **form.service_kwargs(),
            )
            messages.success(request, "Campaign saved.")
            return redirect("outbound:campaign", pk=campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": campaign})


@firm_member
def campaign_agents(request, pk: int):
    campaign = campaign_get(firm=request.firm, pk=pk)
    _runners_only(request)
    choices = engagements_for_campaign(campaign=campaign)
    current = list(campaign.assignments.values_list("engagement_id", flat=True))
    form = CampaignAgentsForm(
        request.POST or None, choices=choices, initial={"engagements": current}
    )
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            lifecycle.campaign_agents_set(
                actor=request.user,
                campaign=campaign,
                engagements=list(form.cleaned_data["engagements"]),
            )
            messages.success(request, "Agents saved.")
            return redirect("outbound:campaign", pk=campaign.pk)
    return render(request, "campaigns/campaign_agents.html", {"form": form, "campaign": campaign})


@firm_member
def campaign(request, pk: int):
    found = campaign_get(firm=request.firm, pk=pk)
    figures = campaign_figures(campaign=found)
    page = ATTEMPT_PAGES.page(attempts_for(campaign=found), cursor=request.GET.get("cursor"))
    can_run = lifecycle.can_run_campaigns(user=request.user, firm=request.firm)
    return render(
        request,
        "campaigns/campaign.html",
        {
            "campaign": found,
            "figures": figures,
            "bars": _bars(found, figures),
            "page": page,
            "attempts": [(a, _first_name(a)) for a in page.rows],
            "agents": found.assignments.select_related("agent").order_by("agent__full_name"),
            "lists": found.lists.order_by("name"),
            "moves": MOVES_FROM[found.status] if can_run else [],
            "can_run": can_run,
        },
    )


def _first_name(attempt: Attempt) -> str:
    """Firms see the agent on an attempt by first name only (never their number)."""
    return attempt.agent.full_name.split()[0] if attempt.agent and attempt.agent.full_name else ""


def _bars(campaign: Campaign, figures: dict) -> list[dict]:
    """The figures as labelled bars (a table with <progress>), largest first per group."""
    rows = []
    total = figures["targets_total"] or 1
    for state, label in CampaignContact.State.choices:
        rows.append(
            {"group": "Contacts", "label": label, "n": figures["targets"][state], "of": total}
        )
    tried = figures["attempts_total"] or 1
    for outcome, label in Attempt.Outcome.choices:
        n = figures["attempts"].get(outcome, 0)
        if n:
            rows.append({"group": "Attempts", "label": label, "n": n, "of": tried})
    refused = sum(figures["refused_by_rule"].values()) or 1
    for rule, n in sorted(figures["refused_by_rule"].items()):
        rows.append(
            {"group": "Not placed", "label": RULE_LABELS.get(rule, rule), "n": n, "of": refused}
        )
    return rows


RULE_LABELS = {
    "suppression": "On the do-not-call list",
    "registry": "National do-not-call registry",
    "hours": "Outside calling hours",
}


@require_POST
@firm_member
@errors_to_message("outbound:campaign", "pk")
def campaign_move(request, pk: int, move: str):
    found = campaign_get(firm=request.firm, pk=pk)
    service, done = MOVES[move]
    service(actor=request.user, campaign=found)
    messages.success(request, done)
    return redirect("outbound:campaign", pk=found.pk)


@require_GET
@firm_member
def contact_proof_page(request, pk: int):
    contact = contact_get(firm=request.firm, pk=pk)
    attempts = contact_proof(firm=request.firm, contact=contact)
    return render(
        request,
        "campaigns/contact_proof.html",
        {"contact": contact, "rows": [(a, proof_row(a)) for a in attempts]},
    )


def _cell(value) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k} {v}" for k, v in value.items())
    return "" if value is None else value


@require_GET
@firm_member
def contact_proof_download(request, pk: int, fmt: str):
    """One row per attempt: when, which campaign, what it was checked against, the verdict."""
    contact = contact_get(firm=request.firm, pk=pk)
    rows = [proof_row(a) for a in contact_proof(firm=request.firm, contact=contact)]
    filename = f"consent-proof-contact-{contact.pk}"
    if fmt == "csv":
        return csv_response(
            list(PROOF_COLUMNS),
            ([_cell(row[c]) for c in PROOF_COLUMNS] for row in rows),
            filename=f"{filename}.csv",
        )
    body = {"contact": {"id": contact.pk, "name": contact.name}, "attempts": rows}
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.json"'
    response["Cache-Control"] = "private, no-store"
    return response
