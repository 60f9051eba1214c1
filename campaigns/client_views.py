"""The firm's outbound pages (/client/outbound/). Lists, imports and do-not-call first; the
campaign pages follow at the end of the file.

A list's contacts are the firm's own data: its users see the numbers whole. Who changes them:
a partial-BPO firm's admins; a complete-BPO firm's lists are the agency's to keep (its users
view them; the staff pages, campaigns.staff_views, upload for it with these same helpers).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from agents.uploads import upload_refusal
from campaigns.forms import ContactListForm, ImportUploadForm, SuppressionAddForm
from campaigns.imports import (
    contact_list_create,
    import_start,
    list_keeper,
    suppression_add,
    suppression_remove,
)
from campaigns.models import ContactList, ImportJob, SuppressionEntry
from campaigns.selectors import (
    contact_lists_of,
    import_get,
    imports_of,
    list_members,
    suppression_entries,
    suppression_version,
)
from clients.decorators import firm_member
from common.keyset import Keyset
from common.views import confirm_page, errors_to_form

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
