"""Signals routing sends for the apps above it (billing), so routing never imports them."""

from django.dispatch import Signal

# Sent when an answered call ends, inside the transaction that completes it (a receiver
# writes in that transaction: billing's ledger row commits with the call or not at all);
# kwargs: call (routing.models.Call).
call_completed = Signal()

# Sent when a call's wrap-up ends (submitted with a disposition, or missed), inside the
# transaction that records it; kwargs: call, disposition (or None), callback_at (or None:
# the time the agent agreed to call back, given with a "callback" disposition). Outbound
# campaigns act on their attempts' dispositions (do not call, call back, machine) by it.
call_wrapped_up = Signal()

# Sent when a callback request opens (a voicemail, or a "callback needed" disposition),
# inside its transaction; kwargs: callback (routing.models.CallbackRequest), agent_id (the
# agent who promised it, or None), due_at (or None: as soon as possible).
callback_opened = Signal()
