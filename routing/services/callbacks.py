"""The callback queue: voicemails and "callback needed" dispositions, for the firm and the
agency to work (open -> assigned -> done). Placing the call back is the outbound campaigns'."""

from routing.models import Call, CallbackRequest


def callback_open(call: Call, *, reason: CallbackRequest.Reason) -> CallbackRequest:
    """Open the call's callback request (once: a call has at most one)."""
    found, _created = CallbackRequest.objects.get_or_create(
        call=call, defaults={"firm_id": call.firm_id, "line_id": call.line_id, "reason": reason}
    )
    return found
