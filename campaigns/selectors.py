"""Campaigns' reads, each scoped to its tenant (a firm) or to the agency's staff pages.
Lists, imports and do-not-call first; campaign selectors follow at the end.

Reads of campaigns, their figures, attempts and the consent proof, always for one firm:
another firm's ids are simply not in the querysets (a 404 for pages and the API)."""

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.shortcuts import get_object_or_404

from campaigns.models import (
    Attempt,
    Campaign,
    CampaignContact,
    ContactList,
    ImportJob,
    ListMember,
    RegistryVersion,
    SuppressionEntry,
    SuppressionList,
)
from clients.models import ClientFirm, Contact, ContactNumber, Engagement

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


CONNECTED = Attempt.Outcome.CONNECTED


def campaigns_for_firm(*, firm: ClientFirm) -> QuerySet[Campaign]:
    """The firm's campaigns, newest first (a line's callbacks run by themselves: not here)."""
    return (
        Campaign.objects.filter(firm=firm, kind=Campaign.Kind.CAMPAIGN)
        .select_related("line")
        .order_by("-created_at", "-id")
    )


def campaign_get(*, firm: ClientFirm, pk: int) -> Campaign:
    return get_object_or_404(campaigns_for_firm(firm=firm), pk=pk)


def engagements_for_campaign(*, campaign: Campaign) -> QuerySet[Engagement]:
    """The firm's active engagements on the campaign's line: who may work it."""
    return (
        Engagement.objects.on_line(campaign.line_id)
        .filter(firm_id=campaign.firm_id)
        .select_related("agent")
        .distinct()
        .order_by("agent__full_name", "pk")
    )


def _empty() -> dict:
    return {
        "targets": {state: 0 for state in CampaignContact.State.values},
        "targets_total": 0,
        "attempts": {outcome: 0 for outcome in Attempt.Outcome.values},
        "attempts_total": 0,
        "live": 0,
        "connects": 0,
        "refused_by_rule": {},
    }


def figures_by_campaign(*, campaign_ids: list[int]) -> dict[int, dict]:
    """Targets by state and attempts by outcome (with the rule that refused, from the
    proof) for several campaigns: two GROUP BY queries whatever their number."""
    figures = {pk: _empty() for pk in campaign_ids}
    if not campaign_ids:
        return figures
    targets = (
        CampaignContact.objects.filter(campaign_id__in=campaign_ids)
        .values("campaign_id", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in targets:
        found = figures[row["campaign_id"]]
        found["targets"][row["state"]] = row["n"]
        found["targets_total"] += row["n"]
    attempts = (
        Attempt.objects.filter(campaign_id__in=campaign_ids)
        .values("campaign_id", "outcome", rule=KT("checks__rule"))
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in attempts:
        found = figures[row["campaign_id"]]
        found["attempts_total"] += row["n"]
        if not row["outcome"]:  # still live: no outcome yet
            found["live"] += row["n"]
            continue
        found["attempts"][row["outcome"]] = found["attempts"].get(row["outcome"], 0) + row["n"]
        if row["outcome"] == Attempt.Outcome.REFUSED:
            rule = row["rule"] or "other"
            found["refused_by_rule"][rule] = found["refused_by_rule"].get(rule, 0) + row["n"]
    for found in figures.values():
        found["connects"] = found["attempts"][CONNECTED]
    return figures


def campaign_figures(*, campaign: Campaign) -> dict:
    return figures_by_campaign(campaign_ids=[campaign.pk])[campaign.pk]


def attempts_for(*, campaign: Campaign) -> QuerySet[Attempt]:
    """The campaign's attempts, newest first (keyset-paged by the callers on
    ("-created_at", "-pk"), which the (campaign, created_at) index serves)."""
    return (
        Attempt.objects.filter(campaign=campaign)
        .select_related("contact", "agent", "disposition")
        .order_by("-created_at", "-pk")
    )


def contact_get(*, firm: ClientFirm, pk: int) -> Contact:
    return get_object_or_404(Contact.objects.filter(firm=firm), pk=pk)


def contact_proof(*, firm: ClientFirm, contact: Contact) -> QuerySet[Attempt]:
    """Every attempt at `contact` across the firm's campaigns, oldest first, each with its
    checks (the proof). Scoped by the firm twice: the contact's and the attempt's."""
    return (
        Attempt.objects.filter(firm=firm, contact=contact, contact__firm=firm)
        .select_related("campaign", "agent", "disposition")
        .order_by("created_at", "pk")
    )


PROOF_COLUMNS = (
    "attempt",
    "time",
    "campaign",
    "purpose",
    "category",
    "number",
    "registry_version",
    "registry_result",
    "suppression_version",
    "suppression_listed",
    "lists",
    "window",
    "zones",
    "local_times",
    "verdict",
    "outcome",
)


def proof_row(attempt: Attempt) -> dict:
    """One attempt's proof, flat: what it was checked against and what each rule said."""
    checks = attempt.checks or {}
    registry = checks.get("registry") or {}
    suppression = checks.get("suppression") or {}
    hours = checks.get("hours") or {}
    if not registry:
        registry_result = "not checked"
    elif not registry.get("applied"):
        registry_result = "not applied (service call)"
    else:
        registry_result = registry.get("result") or "no current extract"
    return {
        "attempt": attempt.pk,
        "time": attempt.checked_at.isoformat(),
        "campaign": attempt.campaign.name,
        "purpose": attempt.campaign.get_purpose_display(),
        "category": checks.get("category_label") or attempt.campaign.get_category_display(),
        "number": str(attempt.number),
        "registry_version": registry.get("version"),
        "registry_result": registry_result,
        "suppression_version": suppression.get("version"),
        "suppression_listed": bool(suppression.get("listed")),
        "lists": [
            f"{li.get('name')} (version {li.get('version')})" for li in checks.get("lists", [])
        ],
        "window": hours.get("window", ""),
        "zones": hours.get("zones", []),
        "local_times": hours.get("local_times", {}),
        "verdict": checks.get("verdict", ""),
        "outcome": attempt.get_outcome_display()
        if attempt.outcome
        else attempt.get_status_display(),
    }
