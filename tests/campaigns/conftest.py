"""Shared by the outbound tests: files kept in a temporary private storage.

Helpers of the campaigns tests: registry extracts, do-not-call entries, lists of contacts
and a campaign ready to schedule (a line, a list, an agent engaged on the line)."""

import datetime as dt

import pytest
from django.utils import timezone

from campaigns.models import (
    ContactList,
    ListMember,
    RegistryEntry,
    RegistryVersion,
    SuppressionEntry,
    SuppressionList,
)
from clients.models import Contact, ContactNumber
from tests.billing.factories import engaged
from tests.factories import CampaignFactory, PhoneLineFactory, verified_agent


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def registry(*entries: tuple[str, bool, int], age_days: int = 1, at=None) -> RegistryVersion:
    """A complete extract uploaded `age_days` ago: (number, fully blocked, blocked bits)."""
    at = at or timezone.now()
    version = RegistryVersion.objects.create(
        source_name="ncpr.csv",
        entries=len(entries),
        is_complete=True,
        completed_at=at - dt.timedelta(days=age_days),
    )
    RegistryEntry.objects.bulk_create(
        RegistryEntry(version=version, number=n, fully_blocked=full, blocked=bits)
        for n, full, bits in entries
    )
    return version


def suppress(firm, number: str, source: str = SuppressionEntry.Source.UPLOAD):
    listed, _ = SuppressionList.objects.get_or_create(firm=firm)
    listed.version += 1
    listed.save()
    return SuppressionEntry.objects.create(
        firm=firm, number=number, source=source, version=listed.version
    )


def contact_list(firm, name: str, numbers: list[str], *, names: list[str] | None = None):
    """A list of `firm` with one contact per number (made, or found by its number)."""
    found = ContactList.objects.create(firm=firm, name=name, version=1)
    for i, number in enumerate(numbers):
        known = ContactNumber.objects.filter(firm=firm, number=number).first()
        if known is None:
            name = names[i] if names else f"Contact {number}"
            contact = Contact.objects.create(firm=firm, name=name)
            ContactNumber.objects.create(contact=contact, firm=firm, number=number)
        else:
            contact = known.contact
        ListMember.objects.create(contact_list=found, contact=contact)
    found.members_count = len(numbers)
    found.save()
    return found


@pytest.fixture
def acme_line(acme):
    return PhoneLineFactory(firm=acme, name="Acme outbound")


@pytest.fixture
def sita(acme, acme_line):
    """A verified agent engaged by acme on its outbound line."""
    agent = verified_agent("sita@example.com", full_name="Sita Rao")
    engaged(agent, acme, lines=[acme_line])
    return agent


@pytest.fixture
def ready(acme, acme_line, sita):
    """A draft campaign of acme with a list of two Indian mobiles and sita on its line, a
    service campaign (no registry needed) from today."""
    campaign = CampaignFactory(firm=acme, line=acme_line, purpose="service", name="Renewals")
    campaign.lists.set([contact_list(acme, "Customers", ["+919845012345", "+919845012346"])])
    engagement = sita.engagements.get()
    campaign.assignments.create(engagement=engagement, agent=sita)
    return campaign


def attempt_made(campaign, contact, *, agent=None, outcome="", at=None):
    """An attempt at `contact` with the proof the consent check gives now: refused if the
    check refuses, else placed by `agent` (default: the campaign's first) and ended with
    `outcome` (default: connected)."""
    from campaigns.consent import consent_check
    from campaigns.models import Attempt, CampaignContact

    at = at or timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(12)))
    number = str(contact.numbers.first().number)
    verdict = consent_check(
        campaign=campaign,
        number=number,
        time_zone=contact.time_zone,
        lists=list(campaign.lists.all()),
        at=at,
    )
    target, _ = CampaignContact.objects.get_or_create(
        campaign=campaign, contact=contact, defaults={"next_attempt_at": at}
    )
    fields = {"status": Attempt.Status.REFUSED, "outcome": Attempt.Outcome.REFUSED}
    if verdict.allowed:
        assignment = campaign.assignments.select_related("engagement").first()
        fields = {
            "status": Attempt.Status.ENDED,
            "outcome": outcome or Attempt.Outcome.CONNECTED,
            "agent": agent or assignment.agent,
            "engagement": assignment.engagement,
        }
    return Attempt.objects.create(
        campaign=campaign,
        target=target,
        contact=contact,
        firm=campaign.firm,
        number=number,
        checks=verdict.checks,
        refused_reason="" if verdict.allowed else verdict.reason,
        checked_at=at,
        **fields,
    )
