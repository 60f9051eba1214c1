"""Helpers for the campaigns tests: a running campaign with agents who can dial now.

`running_campaign` builds the rows directly (the lifecycle's rules are tested on their own):
a campaign on `line` of `firm`, worked by `agents` (each engaged on the line), with one
contact per number in `numbers`, due now, calling round the clock (a service campaign unless
`purpose` says otherwise: promotional calls keep to 09:00-21:00 of the contact's time).
"""

import datetime as dt
import itertools

from django.utils import timezone

from campaigns.models import (
    Campaign,
    CampaignAgent,
    CampaignContact,
    ContactList,
    ListMember,
    RegistryEntry,
    RegistryVersion,
)
from clients.models import Contact, ContactNumber, Engagement

_names = itertools.count(1)


def contact_make(firm, number: str, *, name: str = "", language: str = "", time_zone: str = ""):
    contact = Contact.objects.create(
        firm=firm, name=name or f"Contact {next(_names)}", language=language, time_zone=time_zone
    )
    ContactNumber.objects.create(contact=contact, firm=firm, number=number)
    return contact


def running_campaign(
    firm,
    line,
    *,
    agents=(),
    numbers=(),
    purpose: str = Campaign.Purpose.SERVICE,
    category: str = "1",
    mode: str = Campaign.Mode.PREVIEW,
    window=(dt.time(0, 0), dt.time(23, 59, 59)),
    **fields,
) -> Campaign:
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        firm=firm,
        line=line,
        name=fields.pop("name", f"Campaign {next(_names)}"),
        status=Campaign.Status.RUNNING,
        purpose=purpose,
        category=category,
        mode=mode,
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=30),
        window_start=window[0],
        window_end=window[1],
        started_at=timezone.now(),
        **fields,
    )
    contact_list = ContactList.objects.create(firm=firm, name=f"List {next(_names)}", version=1)
    campaign.lists.add(contact_list)
    for agent in agents:
        engagement = Engagement.objects.filter(agent=agent, firm=firm, status="active").first()
        CampaignAgent.objects.create(campaign=campaign, engagement=engagement, agent=agent)
    for number in numbers:
        contact = contact_make(firm, number)
        ListMember.objects.create(contact_list=contact_list, contact=contact)
        CampaignContact.objects.create(
            campaign=campaign, contact=contact, next_attempt_at=timezone.now()
        )
    return campaign


def registry_with(entries: dict[str, tuple[bool, int]]) -> RegistryVersion:
    """A complete registry extract: number -> (fully blocked, category bits)."""
    version = RegistryVersion.objects.create(
        source_name="test extract", is_complete=True, completed_at=timezone.now()
    )
    RegistryEntry.objects.bulk_create(
        RegistryEntry(version=version, number=n, fully_blocked=full, blocked=bits)
        for n, (full, bits) in entries.items()
    )
    version.entries = len(entries)
    version.save(update_fields=["entries"])
    return version
