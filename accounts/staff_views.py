"""The agency administrator's home under /staff/, and the staff audit viewer."""

from django.http import HttpRequest
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from accounts.decorators import admin_required, staff_required
from accounts.models import User
from accounts.staff_forms import AuditFilterForm
from accounts.staff_selectors import audit_actions_for, audit_records
from common.keyset import Keyset
from common.models import AuditRecord

# Newest first, by cursor (common.keyset; common_auditrecord_time_idx): the log only grows.
AUDIT_PAGES = Keyset("staff.audit", ["-created_at", "-pk"], size=50)
# An audited object's staff page, by URL name (this app imports none of theirs), and the
# role that page asks for: a link is shown only to whom it opens.
OBJECT_PAGES = {
    "agents.agentprofile": ("vetting:agent", User.Role.VETTING),
    "billing.settlementrun": ("finance:run", User.Role.FINANCE),
    "billing.payout": ("finance:payout", User.Role.FINANCE),
    "billing.invoice": ("finance:invoice", User.Role.FINANCE),
    "billing.payoutexport": ("finance:export_detail", User.Role.FINANCE),
    "clients.clientfirm": ("finance:plan", User.Role.FINANCE),
}


@admin_required
def staff_home(request):
    return render(request, "accounts/staff_home.html")


def _object_url(request: HttpRequest, record: AuditRecord) -> str:
    if record.content_type is None:
        return ""
    key = f"{record.content_type.app_label}.{record.content_type.model}"
    name, role = OBJECT_PAGES.get(key, ("", ""))
    if not name or not request.user.has_role(role):
        return ""
    try:
        return reverse(name, args=[record.object_id])
    except NoReverseMatch:
        return ""


@staff_required
@require_GET
def audit(request):
    form = AuditFilterForm(request.GET or None, viewer=request.user)
    rows = AuditRecord.objects.none()
    if not form.is_bound or form.is_valid():
        filters = form.filters() if form.is_bound else {}
        rows = audit_records(viewer=request.user, **filters)
    page = AUDIT_PAGES.page(rows, cursor=request.GET.get("cursor"))
    records = [(record, _object_url(request, record)) for record in page]
    context = {
        "form": form,
        "page": page,
        "records": records,
        "everything": audit_actions_for(request.user) is None,
    }
    return render(request, "accounts/audit.html", context)
