"""Campaigns' reads, each scoped to its tenant (a firm) or to the agency's staff pages.
Lists, imports and do-not-call first; campaign selectors follow at the end."""

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from campaigns.models import (
    ContactList,
    ImportJob,
    ListMember,
    RegistryVersion,
    SuppressionEntry,
    SuppressionList,
)
from clients.models import ClientFirm, ContactNumber

# --- Lists, imports, do-not-call and the registry -------------------------------------------


def contact_lists_of(*, firm: ClientFirm) -> QuerySet[ContactList]:
    """The firm's lists by name, each with its latest import's id and status."""
    latest = ImportJob.objects.filter(contact_list=OuterRef("pk")).order_by("-created_at", "-id")
    return (
        ContactList.objects.filter(firm=firm)
        .annotate(
            latest_import_id=Subquery(latest.values("pk")[:1]),
            latest_import_status=Subquery(latest.values("status")[:1]),
        )
        .order_by("name", "id")
    )


def list_members(*, contact_list: ContactList) -> QuerySet[ListMember]:
    """A list's contacts (as members, in the order they joined) with their numbers."""
    numbers = Prefetch("contact__numbers", queryset=ContactNumber.objects.order_by("pk"))
    return (
        ListMember.objects.filter(contact_list=contact_list)
        .select_related("contact")
        .prefetch_related(numbers)
    )


def imports_of(*, firm: ClientFirm | None, kind: str) -> QuerySet[ImportJob]:
    """The firm's imports of a kind (None: the agency's registry extracts), newest first."""
    return ImportJob.objects.filter(firm=firm, kind=kind).order_by("-created_at", "-id")


def import_get(*, firm: ClientFirm | None, pk: int) -> ImportJob | None:
    """One of the firm's imports (firm None: a registry import, the agency's)."""
    job = ImportJob.objects.filter(pk=pk, firm=firm).select_related("contact_list").first()
    return job


def suppression_entries(*, firm: ClientFirm) -> QuerySet[SuppressionEntry]:
    return SuppressionEntry.objects.filter(firm=firm)


def suppression_version(*, firm: ClientFirm) -> int:
    listed = SuppressionList.objects.filter(firm=firm).first()
    return listed.version if listed else 0


def registry_versions() -> QuerySet[RegistryVersion]:
    return RegistryVersion.objects.select_related("uploaded_by").order_by("-id")


def complete_bpo_firms() -> QuerySet[ClientFirm]:
    """The firms whose lists the agency keeps."""
    return ClientFirm.objects.filter(engagement_type=ClientFirm.EngagementType.COMPLETE).order_by(
        "name"
    )
