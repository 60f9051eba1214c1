"""Helpers of the email campaign tests: a firm's list of contacts with addresses, and a
campaign on acme's claims address (mailroom's conftest: mail_address)."""

import itertools
from decimal import Decimal

from campaigns.models import ContactList, ListMember
from clients.models import Contact
from mailroom.models import EmailCampaign
from mailroom.sending import CampaignInput, campaign_save, campaign_start
from tests.factories import StaffingRequestFactory

_names = itertools.count(1)


def email_list(firm, people: list[tuple[str, str]], **fields) -> ContactList:
    """A list of `firm` with one contact per (name, email); `fields` for each contact."""
    found = ContactList.objects.create(firm=firm, name=f"Mail list {next(_names)}", version=1)
    for name, email in people:
        contact = Contact.objects.create(firm=firm, name=name, email=email, fields=dict(fields))
        ListMember.objects.create(contact_list=found, contact=contact)
    return found


def campaign_draft(carol, acme, address, lists, **changes) -> EmailCampaign:
    data = {
        "name": "Renewal reminder",
        "request": StaffingRequestFactory(firm=acme, campaign_email_rate=Decimal("2.00")),
        "address": address,
        "lists": list(lists),
        "subject": "Your policy {policy_no}, {first_name}",
        "body": "Dear {name},\n\nYour policy renews soon: https://acme-insurance.example/renew",
        "rate_per_minute": 60,
    } | changes
    return campaign_save(actor=carol, firm=acme, data=CampaignInput(**data))


def campaign_started(carol, acme, address, lists, **changes) -> EmailCampaign:
    campaign = campaign_draft(carol, acme, address, lists, **changes)
    return campaign_start(actor=carol, firm=acme, pk=campaign.pk)
