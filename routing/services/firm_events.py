"""What firms get back from every call: the events routing writes to the outbox
(`clients.outbox.event_emit`), in the transaction of the fact they tell.

The payload names the call by our id and the provider's, the line by its number, the agent
by name and id only — never the agent's phone (an agent's personal number must not reach a
firm) — and masks the caller as the agent's page does.

Which facts are which event:
- `call.answered`: the agent picked up (`events.call_answered`).
- `call.ended`: the agent's wrap-up ended, with the disposition and the talk's duration.
- `call.missed`: nobody talked to the caller — they hung up waiting or while it rang
  (abandoned, or the sweep found them gone), it failed, the provider lost it before an
  answer, or it came outside business hours; `status` and `outcome` say which.
- `voicemail.left`: once, when the recording's link is known (`recording_url`).
"""

from clients.models import WebhookEvent
from clients.outbox import event_emit
from routing.models import Call


def call_payload(call: Call) -> dict:
    return {
        "call_id": call.pk,
        "provider_call_id": call.provider_call_id,
        "line": {"id": call.line_id, "number": str(call.line.number), "name": call.line.name},
        "status": call.status,
        "outcome": call.outcome,  # why it ended so: "Caller hung up", "Outside business hours"…
        "language": call.language,
        "caller": call.caller_masked,
        "caller_city": call.origin_label,
        "agent": ({"id": call.agent_id, "name": call.agent.full_name} if call.agent_id else None),
        "queued_at": call.queued_at and call.queued_at.isoformat(),
        "answered_at": call.answered_at and call.answered_at.isoformat(),
        "ended_at": call.ended_at and call.ended_at.isoformat(),
        "talk_seconds": call.talk_seconds,
        "wrap_up": call.wrap_up,
        "disposition": (
            {"code": call.disposition.code, "label": call.disposition.label}
            if call.disposition_id
            else None
        ),
        "survey_score": call.survey_score,
        "transferred_to": str(call.transferred_to) if call.transferred_to else None,
        "recording_url": call.recording_url or None,  # a voicemail's recording
    }


def call_event(call: Call, event: WebhookEvent) -> int:
    """Write `event` about `call` for the firm's endpoints that chose it."""
    return event_emit(firm=call.firm_id, event=event, payload=lambda: call_payload(call))
