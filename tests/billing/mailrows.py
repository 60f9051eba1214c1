"""Helpers for the email billing tests: an engagement with email rates, a handled
conversation and a sent campaign email, built as rows (the mailroom services that write
them are other helpers' work; billing only needs the facts they leave)."""

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from agents.models import AgentProfile
from clients.models import ClientFirm, Contact, Engagement, StaffingRequest
from mailroom.models import Address, CampaignEmail, Conversation, EmailCampaign, Queue
from tests.billing.factories import engaged, profile_of
from tests.factories import PhoneLineFactory

_n = itertools.count(1)


def email_engaged(
    agent, firm: ClientFirm, *, client: str = "25.00", agent_rate: str = "15.00"
) -> Engagement:
    """An engagement (at the default call rates) with email rates, on a line of its own."""
    line = PhoneLineFactory(firm=firm, name=f"Mail line {next(_n)}")
    engagement = engaged(agent, firm, lines=[line])
    engagement.email_client_rate = Decimal(client) if client else None
    engagement.email_agent_rate = Decimal(agent_rate) if agent_rate else None
    engagement.save()
    return engagement


def queue_for(engagement: Engagement) -> Queue:
    line = engagement.lines.first()
    queue, created = Queue.objects.get_or_create(
        firm=engagement.firm, line=line, defaults={"name": f"{line.name} email"}
    )
    if created:
        Address.objects.create(queue=queue, email=f"q{queue.pk}@{engagement.firm_id}.example")
    return queue


def handled_conversation(
    engagement: Engagement, *, at: dt.datetime | None = None, agent: AgentProfile | None = None
) -> Conversation:
    """A conversation of the engagement's queue whose first reply `agent` (the engagement's,
    by default) sent at `at`, under that engagement."""
    at = at or timezone.now()
    queue = queue_for(engagement)
    agent = profile_of(agent) if agent is not None else engagement.agent
    return Conversation.objects.create(
        firm=engagement.firm,
        queue=queue,
        address=queue.addresses.first(),
        subject=f"Claim {next(_n)}",
        customer_name="Asha Menon",
        customer_email="asha.menon@example.net",
        status=Conversation.Status.ANSWERED,
        agent=agent,
        engagement=engagement,
        assigned_at=at - dt.timedelta(minutes=5),
        first_response_at=at,
        handled_at=at,
        handled_by=agent,
        handled_engagement=engagement,
        last_message_at=at,
    )


def email_campaign(firm: ClientFirm, *, request: StaffingRequest, name: str = "Renewals"):
    queue = Queue.objects.filter(firm=firm).first()
    if queue is None:
        line = PhoneLineFactory(firm=firm, name=f"Campaign line {next(_n)}")
        queue = Queue.objects.create(firm=firm, line=line, name="Campaign mail")
        Address.objects.create(queue=queue, email=f"news@{firm.pk}.example")
    return EmailCampaign.objects.create(
        firm=firm,
        request=request,
        address=queue.addresses.first(),
        name=name,
        subject="Your policy renews soon",
        body="Dear {name}, your policy renews next month.",
        status=EmailCampaign.Status.SENDING,
    )


def sent_email(
    campaign: EmailCampaign, *, at: dt.datetime | None = None, status: str = "sent"
) -> CampaignEmail:
    """One contact's email of the campaign, sent at `at`."""
    n = next(_n)
    contact = Contact.objects.create(
        firm=campaign.firm, name=f"Contact {n}", email=f"contact{n}@example.net"
    )
    return CampaignEmail.objects.create(
        campaign=campaign,
        contact=contact,
        firm=campaign.firm,
        email=contact.email,
        status=status,
        sent_at=(at or timezone.now()) if status != "queued" else None,
    )


def with_campaign_rate(request: StaffingRequest, rate: str | None) -> StaffingRequest:
    request.campaign_email_rate = Decimal(rate) if rate is not None else None
    request.save(update_fields=["campaign_email_rate"])
    return request
