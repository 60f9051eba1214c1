"""Placing an outbound attempt at the provider, and asking it how an attempt went.

`attempt_dial(attempt_id=…)` (the dial task, after the placement commits): for Twilio, one
REST request (`calls.create`) rings the agent's phone with the firm's line as caller ID; when
the agent answers, Twilio asks `campaigns.webhooks.agent` what to do, and that answer bridges
the contact (`<Dial callerId=line><Number url=…>`). Neither side sees the other's number: both
see the line's. The provider's call id is kept (`events.attempt_dialled`); any failure —
Twilio down or refusing, not set up — ends the attempt as failed on our side
(`events.attempt_dial_failed`: agent freed without a strike, the contact not counted and
tried again soon). For the generic API ("api") nothing is sent: the provider asks
`GET /api/v1/outbound/dials/` and reports the events.

`attempt_state(attempt)` is the sweep's question when a report never came: the agent's leg
(`calls(sid).fetch()`) and the contact's leg it dialled (`calls.list(parent_call_sid=sid)`).
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from twilio.base.exceptions import TwilioException

from campaigns import dialer, events
from campaigns.models import Attempt
from routing import provider as routing_provider

logger = logging.getLogger(__name__)
TWILIO = "twilio"
FINAL = routing_provider.FINAL


@dataclass(frozen=True)
class LegState:
    status: str  # Twilio's CallStatus: queued, ringing, in-progress, completed, no-answer, …
    duration: int  # seconds, once it is over
    ended_at: dt.datetime | None

    @property
    def ended(self) -> bool:
        return self.status in FINAL


@dataclass(frozen=True)
class AttemptState:
    """What Twilio knows of an attempt: the agent's leg, and the contact's (None: not dialled)."""

    agent: LegState
    contact: LegState | None


def public_url(name: str, **query) -> str:
    """An absolute URL of ours for Twilio, on TWILIO_PUBLIC_BASE_URL as routing builds them."""
    path = reverse(name)
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return settings.TWILIO_PUBLIC_BASE_URL.rstrip("/") + path


def attempt_dial(*, attempt_id: int) -> None:
    """Ring the agent's phone for a placed attempt (once: a repeat finds it claimed)."""
    attempt = (
        Attempt.objects.select_related("agent", "campaign__line").filter(pk=attempt_id).first()
    )
    if attempt is None or attempt.status != Attempt.Status.AGENT or attempt.provider != TWILIO:
        return  # over already, or the generic API's (its provider asks for it)
    if not events.attempt_dial_claim(attempt_id=attempt_id):
        return  # another run of the task has it
    if not routing_provider.twilio_configured() or not settings.TWILIO_PUBLIC_BASE_URL:
        # Twilio asks our webhooks at absolute URLs: without the public base URL (there is no
        # request to take a host from here) it could not tell us the agent answered.
        why = "Outbound calls need the agency's Twilio account and TWILIO_PUBLIC_BASE_URL."
        events.attempt_dial_failed(attempt_id=attempt_id, reason=why)
        return
    line = attempt.campaign.line
    try:
        call = routing_provider.twilio_client().calls.create(
            to=str(attempt.agent.phone),
            from_=str(line.number),  # the agent's phone shows the line, not a personal number
            url=public_url("outbound_telephony:twilio_agent", attempt=attempt.pk),
            method="POST",
            status_callback=public_url("outbound_telephony:twilio_status", attempt=attempt.pk),
            status_callback_event=["answered", "completed"],
            status_callback_method="POST",
            timeout=line.ring_timeout_seconds,
        )
    except (TwilioException, OSError) as error:  # REST down, refused, bad credentials
        logger.warning("Twilio did not place attempt %s: %s", attempt_id, error)
        dialer.provider_down_note()
        message = getattr(error, "msg", "") or "Twilio did not answer"
        events.attempt_dial_failed(attempt_id=attempt_id, reason=f"Not placed: {message}")
        return
    events.attempt_dialled(attempt_id=attempt_id, provider_call_id=call.sid)


def _leg(call) -> LegState:
    return LegState(status=call.status, duration=int(call.duration or 0), ended_at=call.end_time)


def attempt_state(attempt: Attempt) -> AttemptState | None:
    """The attempt as Twilio sees it, or None when it cannot be asked (not Twilio's, not set
    up, not dialled, or Twilio not answering). Ask outside any transaction."""
    sid = attempt.provider_call_id
    if attempt.provider != TWILIO or not sid or sid == events.DIALLING:
        return None
    if not routing_provider.twilio_configured():
        return None
    try:
        client = routing_provider.twilio_client()
        agent = client.calls(sid).fetch()
        legs = client.calls.list(parent_call_sid=sid, limit=20)
    except (TwilioException, OSError) as error:
        logger.warning("Twilio could not tell how attempt %s went: %s", attempt.pk, error)
        return None
    earliest = dt.datetime.min.replace(tzinfo=dt.UTC)
    contact = max(legs, key=lambda x: x.start_time or earliest) if legs else None
    return AttemptState(agent=_leg(agent), contact=_leg(contact) if contact else None)
