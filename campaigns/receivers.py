"""What campaigns hear from the apps below them.

- routing's `call_wrapped_up`: an outbound call's disposition (do not call, call back,
  machine) acts on its campaign (`events.attempt_disposed`), in routing's transaction;
- routing's `callback_opened`: a callback request is scheduled on its line's callbacks
  campaign (`callbacks.callback_schedule`), in the transaction that opened it;
- agents' `agent_available` (sent on commit): after routing's dispatch of waiting inbound
  callers, a free agent on a progressive campaign gets their next contact (blending).
"""

from django.dispatch import receiver

from agents.signals import agent_available
from campaigns.callbacks import callback_schedule
from campaigns.dialer import agent_dial_next
from campaigns.events import attempt_disposed
from routing.models import Call
from routing.signals import call_wrapped_up, callback_opened


@receiver(call_wrapped_up, dispatch_uid="campaigns_outbound_disposition")
def outbound_disposed(sender, *, call, disposition=None, callback_at=None, **kwargs) -> None:
    if call.direction == Call.Direction.OUTBOUND:
        attempt_disposed(call=call, disposition=disposition, callback_at=callback_at)


@receiver(callback_opened, dispatch_uid="campaigns_callback_schedule")
def callback_scheduled(sender, *, callback, agent_id=None, due_at=None, **kwargs) -> None:
    callback_schedule(callback=callback, agent_id=agent_id, due_at=due_at)


@receiver(agent_available, dispatch_uid="campaigns_progressive_on_duty")
def agent_on_duty(sender, *, agent_id: int, **kwargs) -> None:
    agent_dial_next(agent_id=agent_id)  # does nothing if routing gave them a caller
