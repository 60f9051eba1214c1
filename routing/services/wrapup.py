"""The agent's wrap-up after a call: a disposition (and notes) from the line's own codes.

A completed call's wrap-up is pending (`call_completed_with`) while the agent is in wrap-up.
It ends one of two ways, and exactly one of them wins:

- the agent submits a disposition (`call_wrap_up_submit`): the call is submitted, the agent's
  wrap-up ends at once and they are dispatched to the longest-waiting caller;
- the line's wrap-up limit passes first (`wrap_up_end`, from the countdown task or the sweep):
  the call is missed, "no disposition".

Both lock the call row first and only then move the agent's presence (a compare-and-set), so
they queue on the call's lock and the second finds it no longer pending. The same order in
both (call, then agent) means they cannot deadlock. Either end forgets the customer context
(unless the line keeps it), writes the firm's "call ended" event and, for a "callback
needed" code, opens the callback request — in the same transaction.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from agents import presence
from agents.models import AgentProfile
from clients.models import WRAP_UP, DispositionCode, WebhookEvent
from common.errors import ApplicationError, ConflictError
from common.text import TextValidator
from routing.models import NOTES_MAX, Call, CallbackRequest
from routing.services.callbacks import callback_open
from routing.services.context import context_forget
from routing.services.firm_events import call_event
from routing.services.queue import _dispatch_on_commit, queue_dispatch
from routing.signals import call_wrapped_up

WrapUp = Call.WrapUp
CALLBACK_AHEAD = dt.timedelta(days=30)  # how far ahead an agent may promise a callback


def wrap_up_close(
    call: Call,
    *,
    state: str,
    at: dt.datetime,
    disposition: DispositionCode | None = None,
    notes: str = "",
    callback_at: dt.datetime | None = None,
) -> Call:
    """Record how the wrap-up ended, on a call row the caller has locked. An inbound
    "callback needed" opens the callback queue's request; an outbound call's disposition is
    the campaign's to act on (`call_wrapped_up`, heard by campaigns)."""
    call.wrap_up, call.wrapped_up_at = state, at
    call.disposition, call.notes = disposition, notes
    call.save(update_fields=["wrap_up", "wrapped_up_at", "disposition", "notes"])
    context_forget(call)
    call_event(call, WebhookEvent.CALL_ENDED)
    callback = disposition is not None and disposition.kind == DispositionCode.Kind.CALLBACK
    if callback and call.direction == Call.Direction.INBOUND:
        callback_open(
            call,
            reason=CallbackRequest.Reason.DISPOSITION,
            agent_id=call.agent_id,
            due_at=callback_at,
        )
    call_wrapped_up.send(sender=Call, call=call, disposition=disposition, callback_at=callback_at)
    return call


def _clean_notes(notes: str) -> str:
    notes = (notes or "").strip()
    if not notes:
        raise ApplicationError("Write what the call was about.", field="notes")
    if len(notes) > NOTES_MAX:
        raise ApplicationError(f"Notes are at most {NOTES_MAX} characters.", field="notes")
    TextValidator(multiline=True)(notes)
    return notes


@transaction.atomic
def call_wrap_up_submit(
    *,
    call_id: int,
    agent: AgentProfile,
    disposition_id: int,
    notes: str,
    callback_at: dt.datetime | None = None,
) -> Call:
    """The agent's disposition and notes for the call whose wrap-up they hold."""
    call = (
        Call.objects.select_for_update(of=("self",))
        .select_related("line", "agent")
        .filter(pk=call_id, agent=agent)
        .first()
    )
    if call is None:  # another agent's call, or none: as if it did not exist
        raise ApplicationError("No such call.")
    if call.wrap_up != WrapUp.PENDING:
        if call.wrap_up == WrapUp.MISSED:
            raise ConflictError("The wrap-up time was over: the call has no disposition.")
        raise ConflictError("This call's wrap-up is already done.")
    disposition = DispositionCode.objects.filter(
        pk=disposition_id, line_id=call.line_id, is_active=True
    ).first()
    if disposition is None:
        raise ApplicationError("Choose one of the line's codes.", field="disposition")
    notes = _clean_notes(notes)
    now = timezone.now()
    if callback_at is not None and disposition.kind != DispositionCode.Kind.CALLBACK:
        callback_at = None  # a time only means something with a "callback" code
    if callback_at is not None and not now < callback_at <= now + CALLBACK_AHEAD:
        raise ApplicationError(
            "A callback time is in the future, within 30 days.", field="callback_at"
        )
    wrap_up_close(
        call,
        state=WrapUp.SUBMITTED,
        at=now,
        disposition=disposition,
        notes=notes,
        callback_at=callback_at,
    )
    # The wrap-up is done: available at once, and offered the longest-waiting caller.
    if presence.presence_wrap_up_end(agent_id=agent.pk):
        _dispatch_on_commit(agent.pk)
    return call


def _pending_call_id(agent_id: int) -> int | None:
    return (
        Call.objects.filter(agent_id=agent_id, wrap_up=WrapUp.PENDING)
        .order_by("-ended_at")
        .values_list("pk", flat=True)
        .first()
    )


@transaction.atomic
def _wrap_up_time_over(agent_id: int, at: dt.datetime) -> bool:
    pending_id = _pending_call_id(agent_id)
    # The call's lock first, as the submit takes it: a submit in flight finishes, and this
    # then reads its result (no longer pending) instead of marking it missed.
    call = (
        Call.objects.select_for_update(of=("self",))
        .select_related("line", "agent")
        .filter(pk=pending_id, wrap_up=WrapUp.PENDING)
        .first()
        if pending_id
        else None
    )
    ended = AgentProfile.objects.filter(
        pk=agent_id, duty_status=AgentProfile.Duty.WRAP_UP, wrap_up_until__lte=at
    ).exists() and presence.presence_wrap_up_end(agent_id=agent_id)
    if ended and call is not None:
        wrap_up_close(call, state=WrapUp.MISSED, at=at)
    return ended


def wrap_up_end(*, agent_id: int, at: dt.datetime | None = None) -> bool:
    """The agent's wrap-up time is over: a still-pending call gets "no disposition", and the
    agent is available again and at once offered the longest-waiting caller (safe to repeat:
    compare-and-set)."""
    at = at or timezone.now()
    ended = _wrap_up_time_over(agent_id, at)
    if ended:
        queue_dispatch(agent_id=agent_id, at=at)
    return ended


def wrap_ups_left_close(*, agent_id: int, at: dt.datetime | None = None) -> int:
    """The agent went offline during a wrap-up and is back on duty: a wrap-up they left
    pending is over ("no disposition"), as the limit would have ended it, so the firm still
    hears the call ended. One query on the agent's calls; each closed on its locked row."""
    pending = Call.objects.filter(agent_id=agent_id, wrap_up=WrapUp.PENDING)
    return _missed_close(
        pending.values_list("pk", flat=True)[:20],
        at=at or timezone.now(),
        # a wrap-up that is still running is the limit's to end
        skip=lambda call: call.agent.duty_status == AgentProfile.Duty.WRAP_UP,
    )


def _missed_close(call_ids, *, at: dt.datetime, skip=lambda call: False) -> int:
    """Close each of these pending wrap-ups as missed ("no disposition"), each on its locked
    row and in its own transaction; one submitted meanwhile (or `skip`ped) is left as it is."""
    closed = 0
    for call_id in call_ids:
        with transaction.atomic():
            call = (
                Call.objects.select_for_update(of=("self",))
                .select_related("line", "agent")
                .filter(pk=call_id, wrap_up=WrapUp.PENDING)
                .first()
            )
            if call is None or skip(call):
                continue
            wrap_up_close(call, state=WrapUp.MISSED, at=at)
            closed += 1
    return closed


# The longest wrap-up a line may have (clients.models.WRAP_UP), and a minute more: past it no
# wrap-up of that call can still be running, whatever the agent is doing now.
ABANDONED_AFTER = dt.timedelta(seconds=WRAP_UP.high + 60)


def wrap_ups_abandoned_close(*, at: dt.datetime | None = None) -> int:
    """Wrap-ups left pending by agents who went offline and have not come back: missed ("no
    disposition") once no wrap-up could still run, so the firm hears the call ended and
    nothing stays pending for ever. The sweep's; a scan of the small partial index
    `routing_call_workspace_idx` (live calls and pending wrap-ups only)."""
    at = at or timezone.now()
    stale = Call.objects.filter(wrap_up=WrapUp.PENDING, ended_at__lt=at - ABANDONED_AFTER)
    return _missed_close(stale.values_list("pk", flat=True)[:100], at=at)
