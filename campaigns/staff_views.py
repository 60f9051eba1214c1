"""The agency's outbound pages (/staff/outbound/), administrators only: the national
registry's extracts and their upload, and the lists and do-not-call lists of the firms the
agency keeps them for (complete BPO; any firm may be opened by id), drawn with the firm
pages' own helpers (campaigns.client_views). Campaign pages follow at the end."""

from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import admin_required
from campaigns import client_views as firm_pages
from campaigns.client_views import Pages
from campaigns.forms import ImportUploadForm
from campaigns.imports import import_start
from campaigns.models import ImportJob
from campaigns.selectors import complete_bpo_firms, import_get, imports_of, registry_versions
from clients.models import ClientFirm
from common.views import errors_to_form

REGISTRY_HELP = (
    "Columns: number, and blocked — full (or 0) for a fully blocked number, else its blocked "
    "categories 1 to 7 separated by ; (TRAI's categories)."
)
REGISTRY_PAGES = Pages("outbound_staff")


class _RegistryJobs:
    """Pages' `url` for a registry import's progress fragment."""

    @staticmethod
    def url(name: str, *args) -> str:
        return REGISTRY_PAGES.url(f"registry_{name}", *args)


def _firm(pk: int) -> tuple[ClientFirm, Pages]:
    firm = get_object_or_404(ClientFirm, pk=pk)
    return firm, Pages("outbound_staff", (firm.pk,))


def _home(request, *, form=None, status: int = 200):
    jobs = imports_of(firm=None, kind=ImportJob.Kind.REGISTRY)[:10]
    context = {
        "versions": registry_versions()[:20],
        "form": form or ImportUploadForm(label="Registry extract", help_text=REGISTRY_HELP),
        "jobs": [(job, REGISTRY_PAGES.url("registry_import", job.pk)) for job in jobs],
        "firms": complete_bpo_firms(),
    }
    return render(request, "campaigns/staff/home.html", context, status=status)


@admin_required
@require_GET
def home(request):
    """The registry's extracts with the upload form, and the firms whose lists we keep."""
    return _home(request)


@admin_required
@require_POST
def registry_upload(request):
    form = firm_pages.upload_form(request, help_text=REGISTRY_HELP)
    if form.is_valid():
        with errors_to_form(form):
            job = import_start(
                actor=request.user, kind=ImportJob.Kind.REGISTRY, upload=form.cleaned_data["file"]
            )
            return redirect("outbound_staff:registry_import", pk=job.pk)
    return _home(request, form=form, status=400)


@admin_required
@require_GET
def registry_import(request, pk: int):
    job = import_get(firm=None, pk=pk)
    back = REGISTRY_PAGES.url("home")
    return firm_pages.import_page(request, job=job, pages=_RegistryJobs, back_url=back)


@admin_required
@require_GET
def registry_import_progress(request, pk: int):
    job = import_get(firm=None, pk=pk)
    return firm_pages.import_page(request, job=job, pages=_RegistryJobs, back_url="", fragment=True)


@admin_required
def firm_lists(request, firm: int):
    firm, pages = _firm(firm)
    return firm_pages.lists_page(request, firm=firm, pages=pages)


@admin_required
@require_GET
def firm_list(request, firm: int, pk: int):
    firm, pages = _firm(firm)
    return firm_pages.list_page(request, firm=firm, pk=pk, pages=pages)


@admin_required
@require_POST
def firm_list_upload(request, firm: int, pk: int):
    firm, pages = _firm(firm)
    return firm_pages.list_upload_page(request, firm=firm, pk=pk, pages=pages)


@admin_required
@require_GET
def firm_list_contacts(request, firm: int, pk: int):
    firm, pages = _firm(firm)
    return firm_pages.members_page(request, firm=firm, pk=pk, pages=pages)


@admin_required
@require_GET
def firm_import(request, firm: int, pk: int):
    firm, pages = _firm(firm)
    job = import_get(firm=firm, pk=pk)
    back = firm_pages.job_back_url(job, pages) if job else ""
    return firm_pages.import_page(request, job=job, pages=pages, back_url=back)


@admin_required
@require_GET
def firm_import_progress(request, firm: int, pk: int):
    firm, pages = _firm(firm)
    job = import_get(firm=firm, pk=pk)
    return firm_pages.import_page(request, job=job, pages=pages, back_url="", fragment=True)


@admin_required
def firm_dnc(request, firm: int):
    firm, pages = _firm(firm)
    return firm_pages.dnc_page(request, firm=firm, pages=pages)


@admin_required
@require_POST
def firm_dnc_upload(request, firm: int):
    firm, pages = _firm(firm)
    return firm_pages.dnc_upload_page(request, firm=firm, pages=pages)


@admin_required
def firm_dnc_remove(request, firm: int, pk: int):
    firm, pages = _firm(firm)
    return firm_pages.dnc_remove_page(request, firm=firm, pk=pk, pages=pages)


# --- Campaign pages (appended below) --------------------------------------------------------
