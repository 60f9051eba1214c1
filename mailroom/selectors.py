"""selectors (issue 18)."""

# --- H4 (campaigns): the firm's email campaigns and suppression list ---------------------
from django.shortcuts import get_object_or_404

from clients.models import ClientFirm
from mailroom.models import EmailCampaign, EmailSuppression


def email_campaigns_of(*, firm: ClientFirm):
    return (
        EmailCampaign.objects.filter(firm=firm)
        .select_related("address")
        .order_by("-created_at", "-id")
    )


def email_campaign_get(*, firm: ClientFirm, pk: int) -> EmailCampaign:
    """The firm's campaign (another firm's id: 404)."""
    return get_object_or_404(
        EmailCampaign.objects.select_related("address__queue", "request", "firm"), firm=firm, pk=pk
    )


def email_suppressions_of(*, firm: ClientFirm):
    return EmailSuppression.objects.filter(firm=firm).order_by("-created_at", "-id")
