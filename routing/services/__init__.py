"""Routing: every inbound call to the nearest available agent who speaks the caller's language.

The one rule that must never break: an agent holds at most one live call or reservation.
One module a stage of a call's life; callers import from here:

- `calls`: a call arrives (`call_start`, `call_language_choose`, `line_is_open`) and the
  provider requests already answered (`provider_request_record`);
- `deciding`: where a waiting call goes (`call_route` = `call_decide`), and why others were
  passed over (`decision_explain`, when someone opens the decision);
- `events`: what the provider reports afterwards (`call_answered`, `call_completed_with`,
  `call_not_answered`, `call_hung_up`, `call_voicemail`, `call_failed`);
- `queue`: agents freeing up (`queue_dispatch`);
- `wrapup`: the agent's wrap-up ending, by their disposition (`call_wrap_up_submit`) or at
  the line's limit (`wrap_up_end`: "no disposition");
- `transfer`: the agent sends the caller to another of the firm's lines or its escalation
  number (`call_transfer`);
- `sweep`: what no callback will tell (`routing_sweep`: wrap-ups due, ghost callers, and
  `call_reconcile` — live calls whose end never came, asked about at the provider);
- `bridge`: a firm's own PBX reaches the agent through the agency's bridge number with a
  one-time code (`bridge_code_for`, `bridge_claim`), never with the agent's number;
- `survey`: the caller's keypad rating after the agent hung up (`call_survey_record`);
- `next_step`: what the provider does next (`call_next_step` -> `NextStep`), the one answer
  the Twilio webhooks turn into TwiML and the call API into JSON.
"""

from routing.services.bridge import bridge_claim, bridge_code_for
from routing.services.calls import (
    call_language_choose,
    call_start,
    line_is_open,
    provider_request_record,
)
from routing.services.deciding import (
    RECORDED_CANDIDATES,
    Placement,
    call_decide,
    call_route,
    decision_explain,
    decisions_explain,
)
from routing.services.events import (
    attempts_exhausted,
    call_answered,
    call_caller_left,
    call_completed_with,
    call_failed,
    call_hung_up,
    call_lost,
    call_not_answered,
    call_voicemail,
)
from routing.services.next_step import Kind, NextStep, call_next_step, next_step_of
from routing.services.queue import queue_dispatch
from routing.services.survey import call_survey_record, survey_offered
from routing.services.sweep import call_reconcile, routing_sweep, waiting_calls_end
from routing.services.transfer import call_transfer, call_transfer_reported
from routing.services.wrapup import call_wrap_up_submit, wrap_up_end, wrap_ups_left_close

__all__ = [
    "RECORDED_CANDIDATES",
    "Kind",
    "NextStep",
    "Placement",
    "attempts_exhausted",
    "bridge_claim",
    "bridge_code_for",
    "call_answered",
    "call_caller_left",
    "call_completed_with",
    "call_decide",
    "call_failed",
    "call_hung_up",
    "call_language_choose",
    "call_lost",
    "call_next_step",
    "call_not_answered",
    "call_reconcile",
    "call_route",
    "call_start",
    "call_survey_record",
    "call_transfer",
    "call_transfer_reported",
    "call_voicemail",
    "call_wrap_up_submit",
    "decision_explain",
    "decisions_explain",
    "line_is_open",
    "next_step_of",
    "provider_request_record",
    "queue_dispatch",
    "routing_sweep",
    "survey_offered",
    "waiting_calls_end",
    "wrap_up_end",
    "wrap_ups_left_close",
]
