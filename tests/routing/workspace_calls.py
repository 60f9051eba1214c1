"""Calls for the workspace tests, through the real Twilio webhooks: offered to the agent,
answered (the agent leg's status callback), completed (the <Dial>'s report)."""

from clients.models import WebhookEndpoint, WebhookEvent
from clients.scripts import dispositions_seed
from routing.models import Call
from tests.routing.conftest import STATUS, VOICE, twilio_post, twiml, voice_params


def offer(client, line, sid: str = "CA1", **params) -> tuple[Call, str]:
    """Dial in; the call and the <Dial> action URL Twilio reports back to."""
    dial = twiml(twilio_post(client, VOICE, voice_params(line, sid, **params))).find("Dial")
    assert dial is not None, "nobody was offered the call"
    return Call.objects.get(provider_call_id=sid), dial.get("action")


def answer(client, line, call: Call, sid: str = "CA1") -> None:
    leg = voice_params(line, f"{sid}-agent", ParentCallSid=sid, CallStatus="in-progress")
    twilio_post(client, f"{STATUS}?call={call.pk}&leg=agent", leg)


def complete(client, line, action: str, sid: str = "CA1", seconds: int = 95):
    params = voice_params(line, sid, CallStatus="in-progress")
    params |= {"DialCallStatus": "completed", "DialCallDuration": str(seconds)}
    return twilio_post(client, action, params)


def talking(client, line, sid: str = "CA1", **params) -> tuple[Call, str]:
    call, action = offer(client, line, sid, **params)
    answer(client, line, call, sid)
    call.refresh_from_db()
    assert call.status == Call.Status.IN_PROGRESS
    return call, action


def wrapping_up(client, line, sid: str = "CA1", seconds: int = 95, **params) -> Call:
    call, action = talking(client, line, sid, **params)
    complete(client, line, action, sid, seconds)
    call.refresh_from_db()
    assert call.wrap_up == Call.WrapUp.PENDING
    return call


def with_codes(line):
    dispositions_seed(line)
    return {code.code: code for code in line.dispositions.all()}


def endpoint_for_call_ended(firm) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        firm=firm,
        url="https://hooks.example.com/calls",
        secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        events=[WebhookEvent.CALL_ENDED],
    )
