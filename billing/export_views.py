"""Finance: payout exports built in the background (billing.export_jobs).

Asking for an export records it and queues its task, then shows its page: a progress bar
that polls (htmx, like a settlement run's) and the download link once the file is ready.
An export is its owner's: another finance user's export is a 404, like another tenant's
data; other roles get 403 and anonymous users the login page (finance_required). Bank files
ask for the password again both to be made and to be downloaded (issue 13).
"""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import finance_required
from billing.export_jobs import export_restart, export_start, lost_because
from billing.exports import payout_export_record
from billing.models import PayoutExport
from billing.staff_forms import ExportForm
from common.audit import audit_log
from common.models import AuditAction
from common.views import errors_to_message

Status = PayoutExport.Status
BANK_FILES = frozenset(PayoutExport.BANK_FILES)


def _own(request: HttpRequest, pk: int) -> PayoutExport:
    return get_object_or_404(PayoutExport, pk=pk, actor=request.user)


def _queued_message(request: HttpRequest, unsent: str | None) -> None:
    if unsent:  # common.enqueue's message: the export is kept and the sweep sends it
        messages.warning(request, f"{unsent} The export is kept and starts by itself.")


@finance_required
@require_GET
@reauthentication_required(enabled=lambda request: request.GET.get("format") in BANK_FILES)
@errors_to_message("finance:payouts")
def export_request(request):
    form = ExportForm(request.GET)
    if not form.is_valid():
        messages.error(request, "Choose an export format (CSV, XLSX, NEFT or pain.001).")
        return redirect("finance:payouts")
    export = payout_export_record(actor=request.user, **form.cleaned_data)
    unsent = export_start(export=export)
    _queued_message(request, unsent)
    return redirect("finance:export_detail", pk=export.pk)


def _progress(export: PayoutExport) -> dict:
    return {
        "live": export.status in (Status.QUEUED, Status.RUNNING),
        "lost": lost_because(export, now=timezone.now()),
    }


@finance_required
@require_GET
def export_detail(request, pk: int):
    export = _own(request, pk)
    context = {"export": export, "progress": _progress(export)}
    return render(request, "billing/finance/export.html", context)


@finance_required
@require_GET
def export_progress(request, pk: int):
    export = _own(request, pk)
    context = {"export": export, "progress": _progress(export)}
    return render(request, "billing/finance/_export_progress.html", context)


def _bank_file(request: HttpRequest) -> bool:
    pk = request.resolver_match.kwargs.get("pk") if request.resolver_match else None
    return PayoutExport.objects.filter(pk=pk, kind__in=BANK_FILES).exists()


@finance_required
@require_GET
@reauthentication_required(enabled=_bank_file)
def export_download(request, pk: int):
    export = _own(request, pk)
    if export.status != Status.READY or not export.file:
        messages.error(request, f"This export's file is not there: it is {export.status}.")
        return redirect("finance:export_detail", pk=export.pk)
    audit_log(
        actor=request.user,
        action=AuditAction.EXPORT_DOWNLOADED,
        target=export,
        format=export.kind,
        count=export.count,
        msg_id=export.msg_id,
        bytes=export.size,
    )
    file = export.file.open("rb")  # closed by FileResponse after the last chunk
    return FileResponse(file, as_attachment=True, filename=export.filename)


@finance_required
@require_POST
@errors_to_message("finance:export_detail", "pk")
def export_restart_view(request, pk: int):
    export, unsent = export_restart(actor=request.user, export_id=_own(request, pk).pk)
    if not unsent:
        messages.success(request, "The export is queued again; this page follows it.")
    _queued_message(request, unsent)
    return redirect("finance:export_detail", pk=export.pk)
