"""Mail providers' tracking events for campaign mail (issue 18), through django-anymail's
`tracking` signal (mailroom.receivers): anymail has checked the webhook's signature (a bad
one is refused with 400 before any receiver runs) and normalised the provider's payload.

The event names its email by our row id in the metadata we sent (anymail backends pass it to
the provider, which returns it), else by the provider's message id (stored after the send),
else by our Message-ID header (which some providers report as their id). Each transition is
applied once, on the locked row: a provider retrying a webhook, or reporting "delivered" after
a bounce, changes nothing. Bounces and complaints put the address on the firm's suppression
list; an "unsubscribed" event is the same as our one-click link.
"""

import datetime as dt
import logging

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from mailroom.models import CampaignEmail, EmailCampaign, EmailSuppression
from mailroom.suppression import suppression_put, unsubscribe_row

logger = logging.getLogger(__name__)
Row = CampaignEmail.Status

# anymail's event type: (the status it moves the email to, the states it moves from, the
# campaign's counter, the suppression reason).
_SENT = (Row.SENT,)
TRANSITIONS = {
    "delivered": (Row.DELIVERED, _SENT, "delivered", None),
    "bounced": (Row.BOUNCED, (Row.SENT, Row.DELIVERED), "bounced", EmailSuppression.Reason.BOUNCED),
    "complained": (
        Row.COMPLAINED,
        (Row.SENT, Row.DELIVERED),
        "complained",
        EmailSuppression.Reason.COMPLAINED,
    ),
    "rejected": (Row.FAILED, _SENT, "failed", None),
    "failed": (Row.FAILED, _SENT, "failed", None),
}


def _row_for(event) -> CampaignEmail | None:
    rows = CampaignEmail.objects.select_for_update()
    metadata = getattr(event, "metadata", None) or {}
    pk = str(metadata.get("campaign_email") or "")
    if pk.isdigit():
        return rows.filter(pk=int(pk)).first()
    message_id = (getattr(event, "message_id", None) or "").strip()
    if not message_id:
        return None
    bare = message_id.strip("<>")
    return (
        rows.filter(Q(provider_id=message_id) | Q(provider_id=bare) | Q(message_id=bare))
        .order_by("pk")
        .first()
    )


@transaction.atomic
def tracking_event_apply(event) -> str:
    """Apply one anymail tracking event; returns what it did ("ignored", "unknown", the new
    status, "unsubscribed")."""
    kind = str(getattr(event, "event_type", "") or "")
    if kind not in TRANSITIONS and kind != "unsubscribed":
        return "ignored"  # queued, opened, clicked, deferred…: no figure of ours
    row = _row_for(event)
    if row is None:
        return "unknown"  # not a campaign's mail (an agent's reply, another system's)
    at = getattr(event, "timestamp", None) or timezone.now()
    if kind == "unsubscribed":
        unsubscribe_row(row)
        _event_at(row, at)
        return "unsubscribed"
    to, sources, counter, reason = TRANSITIONS[kind]
    if reason:  # the address is stopped whatever the row's state (a late bounce, say)
        suppression_put(firm_id=row.firm_id, email=row.email, reason=reason, campaign_email=row)
    if row.status not in sources:
        return "ignored"
    row.status = to
    row.event_at = at
    row.save(update_fields=["status", "event_at"])
    EmailCampaign.objects.filter(pk=row.campaign_id).update(**{counter: F(counter) + 1})
    return to


def _event_at(row: CampaignEmail, at: dt.datetime) -> None:
    row.event_at = at
    row.save(update_fields=["event_at"])
