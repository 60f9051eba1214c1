"""(issue 17: to be written)"""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import admin_required
from campaigns import client_views as firm_pages
from campaigns.selectors import firms_with_campaigns
from clients.models import ClientFirm
from common.keyset import Keyset

# --- Campaigns (issue 17: the agency runs a complete-BPO firm's) ----------------------------
# The firm's own campaign pages (campaigns.client_views' helpers and templates) drawn for any
# firm under /staff/outbound/firms/<firm>/campaigns/…, for the agency's administrators (staff
# pages are behind MFA by their path). The firm comes from the URL: an unknown firm is a 404,
# and every campaign and contact is looked up within it (another firm's ids are 404s too).
# The lifecycle services let administrators act on any firm (lifecycle.require_campaign_runner).

# The selector's order (complete-BPO firms first: "complete" sorts before "partial").
FIRMS_ORDER = ["engagement_type", "name", "pk"]
FIRM_PAGES = Keyset("staff.campaign_firms", FIRMS_ORDER, size=50)


def _campaign_pages(firm: int) -> tuple[ClientFirm, firm_pages.Pages]:
    found = get_object_or_404(ClientFirm, pk=firm)
    return found, firm_pages.Pages("outbound_staff", (found.pk,))


@admin_required
@require_GET
def campaign_firms(request):
    """Firms with campaigns: complete-BPO firms first (the agency runs theirs), running counts."""
    page = FIRM_PAGES.page(firms_with_campaigns(), cursor=request.GET.get("cursor"))
    return render(request, "campaigns/staff/campaign_firms.html", {"page": page})


@admin_required
def firm_campaigns(request, firm: int):
    found, pages = _campaign_pages(firm)
    return firm_pages.campaigns_page(request, firm=found, pages=pages)


@admin_required
def firm_campaign_new(request, firm: int):
    found, pages = _campaign_pages(firm)
    return firm_pages.campaign_new_page(request, firm=found, pages=pages)


@admin_required
def firm_campaign(request, firm: int, pk: int):
    found, pages = _campaign_pages(firm)
    return firm_pages.campaign_page(request, firm=found, pk=pk, pages=pages)


@admin_required
def firm_campaign_edit(request, firm: int, pk: int):
    found, pages = _campaign_pages(firm)
    return firm_pages.campaign_edit_page(request, firm=found, pk=pk, pages=pages)


@admin_required
def firm_campaign_agents(request, firm: int, pk: int):
    found, pages = _campaign_pages(firm)
    return firm_pages.campaign_agents_page(request, firm=found, pk=pk, pages=pages)


@require_POST
@admin_required
def firm_campaign_move(request, firm: int, pk: int, move: str):
    found, pages = _campaign_pages(firm)
    return firm_pages.campaign_move_page(request, firm=found, pk=pk, move=move, pages=pages)


@require_GET
@admin_required
def firm_contact_proof(request, firm: int, pk: int):
    found, pages = _campaign_pages(firm)
    return firm_pages.contact_proof_view(request, firm=found, pk=pk, pages=pages)


@require_GET
@admin_required
def firm_contact_proof_download(request, firm: int, pk: int, fmt: str):
    found, _ = _campaign_pages(firm)
    return firm_pages.contact_proof_file(request, firm=found, pk=pk, fmt=fmt)
