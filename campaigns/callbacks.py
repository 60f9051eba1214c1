"""Scheduled callbacks: voicemails and "call me back at…" dispositions, called back.

A callback request (routing's queue: a voicemail, or an inbound "callback needed") becomes a
contact on its line's callbacks campaign — one per line (`campaigns_callbacks_one`), running,
preview, a service call (the customer asked for it) — due when the agent said (or at once),
held for that agent until `CAMPAIGNS_CALLBACK_HOLD_SECONDS` past its time, then offered to
anyone engaged on the line. An outbound call's "callback" disposition reschedules its own
campaign's contact the same way (`campaigns.events.attempt_disposed`). The caller's number
finds the firm's contact record, or a bare one is made for it (the firm's data, as before).
"""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.models import Campaign, CampaignContact, Category
from clients.models import Contact, ContactNumber, Domain, PhoneLine
from routing.models import CallbackRequest

# A callbacks campaign's category is only a label (service calls skip the registry).
DOMAIN_CATEGORY = {
    Domain.INSURANCE: Category.BANKING,
    Domain.BANKING: Category.BANKING,
    Domain.TELECOM: Category.COMMUNICATION,
    Domain.RETAIL: Category.CONSUMER_GOODS,
}
CALLBACK_YEARS = 10


def callbacks_campaign(*, line: PhoneLine) -> Campaign:
    """The line's callbacks campaign, made on first use (a race: the unique index decides)."""
    found = Campaign.objects.filter(line=line, kind=Campaign.Kind.CALLBACKS).first()
    if found is not None:
        return found
    today = timezone.localdate()
    try:
        with transaction.atomic():
            return Campaign.objects.create(
                firm_id=line.firm_id,
                line=line,
                name=f"Callbacks: {line.name}",
                kind=Campaign.Kind.CALLBACKS,
                status=Campaign.Status.RUNNING,
                purpose=Campaign.Purpose.SERVICE,
                category=DOMAIN_CATEGORY.get(line.domain, Category.BANKING),
                mode=Campaign.Mode.PREVIEW,
                starts_on=today,
                ends_on=today.replace(year=today.year + CALLBACK_YEARS),
                window_start=dt.time(9, 0),
                window_end=dt.time(21, 0),
                max_attempts=3,
                max_attempts_per_day=2,
                started_at=timezone.now(),
            )
    except IntegrityError:
        return Campaign.objects.get(line=line, kind=Campaign.Kind.CALLBACKS)


def _contact_for(*, firm_id: int, number: str, language: str) -> Contact:
    known = ContactNumber.objects.filter(firm_id=firm_id, number=number).first()
    if known is not None:
        return known.contact
    contact = Contact.objects.create(firm_id=firm_id, language=language)
    ContactNumber.objects.create(contact=contact, firm_id=firm_id, number=number)
    return contact


@transaction.atomic
def callback_schedule(
    *, callback: CallbackRequest, agent_id: int | None = None, due_at: dt.datetime | None = None
) -> CampaignContact | None:
    """Put a callback request on its line's callbacks campaign (idempotent per request)."""
    call = callback.call
    if not call.caller:
        return None  # an anonymous caller cannot be called back
    campaign = callbacks_campaign(line=callback.line)
    contact = _contact_for(
        firm_id=callback.firm_id, number=str(call.caller), language=call.language
    )
    due = due_at or timezone.now()
    hold = dt.timedelta(seconds=settings.CAMPAIGNS_CALLBACK_HOLD_SECONDS)
    target, created = CampaignContact.objects.select_for_update().get_or_create(
        campaign=campaign,
        contact=contact,
        defaults={"next_attempt_at": due, "number": call.caller},
    )
    if not created and target.state in {
        CampaignContact.State.PREVIEW,
        CampaignContact.State.DIALING,
    }:
        return target  # being called back right now
    if target.state == CampaignContact.State.REFUSED:
        return target  # on the do-not-call list: not called back
    target.state, target.next_attempt_at, target.number = (
        CampaignContact.State.PENDING,
        due,
        call.caller,
    )
    target.agent_id = agent_id
    target.held_until = due + hold if agent_id else None
    target.attempts = target.attempts_today = 0
    target.callback_request = callback
    target.save()
    return target


def callback_done_for(target: CampaignContact, *, at: dt.datetime) -> None:
    """The contact was reached: the callback request behind it (if any) is done."""
    if target.callback_request_id:
        CallbackRequest.objects.filter(
            pk=target.callback_request_id, status__in=["open", "assigned"]
        ).update(status=CallbackRequest.Status.DONE, done_at=at, updated_at=at)
