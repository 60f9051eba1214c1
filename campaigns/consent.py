"""The one consent check every outbound attempt passes, and the proof it leaves.

`consent_check` decides whether a campaign may call a number at a moment, in this order:

1. Suppression: the firm's own do-not-call list — numbers it uploaded or added, and every
   contact who asked an agent not to be called or pressed the opt-out key. Applies to every
   call, service or promotional. Final: the contact is not called by this campaign again.
2. The national registry (NCPR), promotional calls only: a fully blocked number, or one
   blocking the campaign's category, is never called (final). Service calls are not subject
   to the registry (TCCCPR 2018); the proof says it was not applied. With no complete extract
   uploaded — or one older than `CAMPAIGNS_REGISTRY_MAX_AGE_DAYS` — a promotional call waits.
3. Calling hours in the contact's local time (`campaigns.hours`): refused until the next
   allowed moment (`retry_at`), which the dialer uses to reschedule the contact.

Every verdict carries `checks`, the proof an attempt stores: the registry version and what
it said, the suppression list's version, the contact's lists and their versions, the window,
the zones and their local times, purpose and category, and each rule's result.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings

from campaigns import hours
from campaigns.models import (
    Campaign,
    Category,
    ContactList,
    RegistryEntry,
    RegistryVersion,
    SuppressionEntry,
    SuppressionList,
    category_bit,
)

SUPPRESSION = "suppression"
REGISTRY = "registry"
HOURS = "hours"
REGISTRY_WAIT = dt.timedelta(hours=1)  # a promotional call without a current registry waits


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    rule: str = ""  # the rule that refused: suppression | registry | hours
    reason: str = ""  # in plain words, for the firm and staff
    final: bool = False  # never call this number on this campaign again
    retry_at: dt.datetime | None = None  # hours: the next allowed moment (None: none soon)
    checks: dict = field(default_factory=dict)


def registry_current(*, at: dt.datetime) -> RegistryVersion | None:
    """The newest complete registry extract, if it is recent enough to be relied on."""
    version = RegistryVersion.objects.filter(is_complete=True).order_by("-id").first()
    if version is None:
        return None
    oldest = at - dt.timedelta(days=settings.CAMPAIGNS_REGISTRY_MAX_AGE_DAYS)
    return version if version.completed_at and version.completed_at >= oldest else None


def _registry_result(entry: RegistryEntry | None) -> str:
    if entry is None:
        return "not listed"
    if entry.fully_blocked:
        return "fully blocked"
    blocked = [c for c in Category.values if entry.blocked & category_bit(c)]
    return "blocks categories " + ", ".join(blocked) if blocked else "not blocked"


def campaign_window(campaign: Campaign) -> hours.Window:
    return hours.Window.for_campaign(
        promotional=campaign.purpose == Campaign.Purpose.PROMOTIONAL,
        start=campaign.window_start,
        end=campaign.window_end,
        excluded_weekdays=campaign.excluded_weekdays,
        excluded_dates=campaign.excluded_dates,
        first_day=campaign.starts_on,
        last_day=campaign.ends_on,
    )


def consent_check(
    *,
    campaign: Campaign,
    number: str,
    time_zone: str = "",
    lists: list[ContactList] | None = None,
    at: dt.datetime,
    registry: RegistryVersion | None = None,
    registry_known: bool = False,
) -> Verdict:
    """May `campaign` call `number` (E.164) at `at`? `registry`/`registry_known` let a caller
    checking many numbers read the current extract once."""
    promotional = campaign.purpose == Campaign.Purpose.PROMOTIONAL
    suppression_version = (
        SuppressionList.objects.filter(firm_id=campaign.firm_id)
        .values_list("version", flat=True)
        .first()
    ) or 0
    checks: dict = {
        "at": at.isoformat(),
        "number": number,
        "campaign": campaign.pk,
        "purpose": campaign.purpose,
        "category": campaign.category,
        "category_label": Category(campaign.category).label,
        "suppression": {"version": suppression_version},
        "lists": [{"id": li.pk, "name": li.name, "version": li.version} for li in lists or []],
        "rules": [],
    }

    def verdict(allowed: bool, rule: str = "", reason: str = "", **more) -> Verdict:
        checks["verdict"] = "allowed" if allowed else f"refused: {reason}"
        checks["rule"] = rule  # "" when allowed: what the firm's figures count refusals by
        return Verdict(allowed=allowed, rule=rule, reason=reason, checks=checks, **more)

    def passed(rule: str, result: str, ok: bool) -> None:
        checks["rules"].append({"rule": rule, "result": result, "passed": ok})

    suppressed = (
        SuppressionEntry.objects.filter(firm_id=campaign.firm_id, number=number)
        .values_list("source", flat=True)
        .first()
    )
    checks["suppression"]["listed"] = suppressed is not None
    if suppressed is not None:
        label = SuppressionEntry.Source(suppressed).label
        checks["suppression"]["source"] = suppressed
        passed(SUPPRESSION, f"on the firm's do-not-call list ({label})", False)
        return verdict(False, SUPPRESSION, f"On the do-not-call list: {label}.", final=True)
    passed(SUPPRESSION, "not on the firm's do-not-call list", True)

    if not registry_known:
        registry = registry_current(at=at)
    if not promotional:
        checks["registry"] = {"version": registry.pk if registry else None, "applied": False}
        passed(REGISTRY, "not applied: a service call", True)
    elif registry is None:
        checks["registry"] = {"version": None, "applied": True}
        passed(REGISTRY, "no current registry extract", False)
        return verdict(
            False,
            REGISTRY,
            "No current national registry extract: promotional calls wait for one.",
            retry_at=at + REGISTRY_WAIT,
        )
    else:
        entry = RegistryEntry.objects.filter(version=registry, number=number).first()
        result = _registry_result(entry)
        checks["registry"] = {
            "version": registry.pk,
            "uploaded_at": registry.completed_at.isoformat() if registry.completed_at else None,
            "applied": True,
            "result": result,
        }
        blocked = entry is not None and (
            entry.fully_blocked or bool(entry.blocked & category_bit(campaign.category))
        )
        passed(REGISTRY, result, not blocked)
        if blocked:
            why = "fully blocked" if entry.fully_blocked else "blocks this campaign's category"
            return verdict(False, REGISTRY, f"The national registry: {why}.", final=True)

    window = campaign_window(campaign)
    zones = hours.zones_for_contact(time_zone=time_zone, number=number)
    inside = hours.allowed_at(window, zones, at)
    checks["hours"] = {
        "window": window.label(),
        "zones": zones,
        "zone_given": bool(hours.zone(time_zone)),
        "local_times": hours.local_times(zones, at),
        "inside": inside,
    }
    if not inside:
        retry_at = hours.next_allowed(window, zones, at)
        if not zones:
            why = "the number's time zone cannot be told"
        elif retry_at is None:
            why = "no calling hours soon in all the number's time zones"
        else:
            why = "outside calling hours in the contact's time"
        passed(HOURS, why, False)
        return verdict(False, HOURS, why[0].upper() + why[1:] + ".", retry_at=retry_at)
    passed(HOURS, f"inside {window.label()} local time", True)
    return verdict(True)
