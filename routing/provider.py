"""Asking Twilio's REST API how a call went, when its callbacks never came.

Twilio does not retry a status callback that failed, so the sweep asks instead: the caller's
leg (`calls(sid).fetch()`) says whether the caller is still on the line, and the legs it
dialled (`calls.list(parent_call_sid=sid)`) whether an agent answered, and for how long.
Without an account SID (the embedded demo) nobody can be asked: `twilio_call_state` returns
None and the sweep closes such calls by a bound.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from twilio.twiml.voice_response import VoiceResponse

logger = logging.getLogger(__name__)
FINAL = {"completed", "busy", "failed", "no-answer", "canceled"}
TIMEOUT_SECONDS = 5  # the sweep runs every 10 s: never let one question hold it up


@dataclass(frozen=True)
class ProviderCall:
    """What the provider knows of a call: over or not, and the agent's leg if one answered."""

    ended: bool
    ended_at: dt.datetime | None
    answered: bool  # an agent's leg was picked up
    talk_seconds: int | None  # how long it lasted, once it is over


def twilio_configured() -> bool:
    return bool(settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN)


def _client() -> Client:
    client = Client(
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        http_client=TwilioHttpClient(timeout=TIMEOUT_SECONDS),
    )
    if settings.TWILIO_API_BASE_URL:
        client.api.base_url = settings.TWILIO_API_BASE_URL  # a local fake in the tests
    return client


def twilio_client() -> Client:
    """The agency's Twilio client (short timeouts; TWILIO_API_BASE_URL for a local fake)."""
    return _client()


def twilio_call_state(sid: str) -> ProviderCall | None:
    """The call as Twilio sees it, or None when it cannot be asked or does not answer."""
    if not twilio_configured():
        return None
    try:
        client = _client()
        caller = client.calls(sid).fetch()
        legs = client.calls.list(parent_call_sid=sid, limit=20)
    except (TwilioException, OSError) as error:  # REST down, unknown call, bad credentials
        logger.warning("Twilio could not tell how call %s went: %s", sid, error)
        return None
    # The agent's leg that was picked up: in conversation now, or completed with a duration.
    answered = [
        leg
        for leg in legs
        if leg.status == "in-progress" or (leg.status == "completed" and int(leg.duration or 0))
    ]
    earliest = dt.datetime.min.replace(tzinfo=dt.UTC)
    leg = max(answered, key=lambda x: x.start_time or earliest) if answered else None
    talk = int(leg.duration) if leg is not None and leg.status == "completed" else None
    return ProviderCall(
        ended=caller.status in FINAL,
        ended_at=caller.end_time,
        answered=leg is not None,
        talk_seconds=talk,
    )


def transfer_twiml(number: str, caller_id: str) -> VoiceResponse:
    """A cold transfer: ring `number` (another of the firm's lines, or its escalation desk)
    showing the line's own number; the caller's call ends when that one does."""
    response = VoiceResponse()
    response.dial(caller_id=caller_id).number(number)
    return response


class TwilioRefused(Exception):
    """Twilio did not take the change to a live call (its message, for the agent)."""


def twilio_call_redirect(sid: str, twiml: str) -> None:
    """Replace what a live call does with `twiml` (a cold transfer: a <Dial> elsewhere).

    Raises TwilioRefused when Twilio cannot be asked or says no (the call is over, the
    number is refused, Twilio is down): the caller then stays with the agent."""
    if not twilio_configured():
        raise TwilioRefused("Transfers need the agency's Twilio account, which is not set up.")
    try:
        _client().calls(sid).update(twiml=twiml)
    except (TwilioException, OSError) as error:
        logger.warning("Twilio refused to redirect call %s: %s", sid, error)
        message = getattr(error, "msg", "") or "Twilio did not answer"
        raise TwilioRefused(f"Twilio refused the transfer: {message}") from error
