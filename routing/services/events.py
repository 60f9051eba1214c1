"""What the provider tells us after the offer: answered, completed, not answered, hung up."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from agents import presence
from clients.models import WebhookEvent
from common.errors import ApplicationError, ConflictError
from routing.models import Call, CallbackRequest
from routing.services.callbacks import callback_open
from routing.services.firm_events import call_event
from routing.services.queue import _dispatch_on_commit
from routing.services.wrapup import wrap_up_close
from routing.signals import call_completed

Status = Call.Status


def _not_before(call: Call, at: dt.datetime) -> dt.datetime:
    """`at`, or the call's latest time so far if that is later. A provider's clock a little
    behind ours, or a talk time longer than the call has been with us, must not put an event
    before the one it follows: the call's times stay in order (its constraints insist)."""
    return max([at, *(t for t in (call.queued_at, call.offered_at, call.answered_at) if t)])


def _about_an_earlier_offer(call: Call, attempt: int | None) -> bool:
    """A provider's event names the offer it is about (`attempt`); once the call has moved on
    to another offer, a repeat or a late event about the earlier one must change nothing."""
    return attempt is not None and attempt != call.attempts


def _offer_withdraw(call: Call) -> None:
    """The offered agent will not get this call (it ended before they answered): free them,
    hand them to the longest-waiting caller after commit, and take them off the call."""
    presence.presence_release(agent_id=call.agent_id)
    _dispatch_on_commit(call.agent_id)
    call.agent = None


@transaction.atomic
def call_answered(
    *, call_id: int, at: dt.datetime | None = None, attempt: int | None = None
) -> Call:
    call = Call.objects.select_for_update().get(pk=call_id)
    if call.status != Status.OFFERED or _about_an_earlier_offer(call, attempt):
        return call  # repeated or late event
    call.status, call.answered_at = Status.IN_PROGRESS, _not_before(call, at or timezone.now())
    call.save(update_fields=["status", "answered_at"])
    presence.presence_answered(agent_id=call.agent_id)
    call_event(call, WebhookEvent.CALL_ANSWERED)
    return call


@transaction.atomic
def call_completed_with(
    *, call_id: int, duration: int, at: dt.datetime | None = None, attempt: int | None = None
) -> Call:
    """The agent talked `duration` seconds and the call ended: close it, agent to wrap-up.

    `call_completed` is sent inside this transaction, not on commit: billing's receiver writes
    the ledger row in it, so a completed call and its transaction commit together or not at
    all. A failing receiver rolls the completion back (the call stays live, and the provider's
    retry, or the sweep asking the provider, completes it later), and a failed publish after
    commit cannot skip the ledger. A call the sweep closed as lost (the agent already freed)
    still completes, once, when the provider's report comes late.
    """
    at = at or timezone.now()
    call = Call.objects.select_for_update(of=("self",)).select_related("line").get(pk=call_id)
    late = call.status == Status.LOST and call.agent_id is not None
    if (call.status not in Call.LIVE and not late) or _about_an_earlier_offer(call, attempt):
        return call
    if duration < 0:
        raise ApplicationError("The duration cannot be negative.", field="duration")
    # No answer reported (the agent leg's callback was lost, or the provider sends none): the
    # talk began `duration` before the end, but never before the offer.
    call.answered_at = call.answered_at or _not_before(call, at - dt.timedelta(seconds=duration))
    call.status, call.ended_at, call.talk_seconds = (
        Status.COMPLETED,
        _not_before(call, at),
        duration,
    )
    call.outcome = "Answered (reported after the sweep closed it)" if late else "Answered"
    # The agent's wrap-up: pending while they write it up, within the line's limit; a line
    # with no wrap-up time (or a lost call whose agent was freed long ago) has none to give.
    seconds = 0 if late else call.line.wrap_up_seconds
    call.wrap_up = Call.WrapUp.PENDING if seconds > 0 else ""
    call.save(
        update_fields=["status", "answered_at", "ended_at", "talk_seconds", "outcome", "wrap_up"]
    )
    if not late:  # a lost call's agent was freed then, and may be on another call now
        agent_id = call.agent_id
        presence.presence_wrap_up(agent_id=agent_id, seconds=seconds)
        _after_wrap_up(agent_id, seconds)
    call_completed.send(sender=Call, call=call)
    if seconds <= 0:
        wrap_up_close(call, state=Call.WrapUp.MISSED, at=call.ended_at)
    return call


def _after_wrap_up(agent_id: int, seconds: int) -> None:
    from routing.tasks import wrap_up_end_task

    if seconds <= 0:
        _dispatch_on_commit(agent_id)  # straight back to available: serve whoever waits
        return

    def enqueue():
        if settings.CELERY_TASK_ALWAYS_EAGER:
            return  # inline tasks ignore countdowns: the sweep ends the wrap-up on time
        wrap_up_end_task.apply_async(args=[agent_id], countdown=seconds)

    # robust: a broker that is down must not break the request nor skip later callbacks;
    # the sweep ends the wrap-up on time anyway.
    transaction.on_commit(enqueue, robust=True)


@transaction.atomic
def call_not_answered(
    *, call_id: int, reason: str, at: dt.datetime | None = None, attempt: int | None = None
) -> Call:
    """The offered agent did not answer (no answer, busy, failed): strike, then next candidate.

    Returns the call back in the queue (keeping its place) or, past the attempt limit, with
    status QUEUED and `attempts` at the limit — the caller then goes to voicemail.
    """
    call = Call.objects.select_for_update().get(pk=call_id)
    if call.status != Status.OFFERED or _about_an_earlier_offer(call, attempt):
        return call
    if call.caller_left_at is not None:
        # The caller hung up while the agent's phone rang (their status callback came
        # first): not the agent's miss, and nobody is left to offer the call to.
        return call_hung_up(call_id=call.pk, at=call.caller_left_at)
    if not presence.presence_no_answer(agent_id=call.agent_id):
        _dispatch_on_commit(call.agent_id)  # back in line (not offline): someone may wait
    call.tried_agent_ids = [*call.tried_agent_ids, call.agent_id]
    call.agent, call.status, call.offered_at = None, Status.QUEUED, None
    call.outcome = f"Agent did not answer ({reason})"
    call.save(update_fields=["tried_agent_ids", "agent", "status", "offered_at", "outcome"])
    return call


def attempts_exhausted(call: Call) -> bool:
    return call.attempts >= settings.ROUTING_MAX_ATTEMPTS


@transaction.atomic
def call_hung_up(*, call_id: int, at: dt.datetime | None = None) -> Call:
    """The caller's leg ended (status callback). Whatever the call was doing, it is over."""
    at = at or timezone.now()
    call = Call.objects.select_for_update(of=("self",)).select_related("line").get(pk=call_id)
    if call.status in Call.ENDED:
        return call
    if call.status == Status.IN_PROGRESS:
        duration = int((at - call.answered_at).total_seconds())
        return call_completed_with(call_id=call.pk, duration=max(duration, 0), at=at)
    if call.status == Status.OFFERED:
        _offer_withdraw(call)
    call.status, call.ended_at = Status.ABANDONED, _not_before(call, at)
    call.outcome = "Caller hung up"
    call.save(update_fields=["status", "ended_at", "outcome", "agent"])
    call_event(call, WebhookEvent.CALL_MISSED)
    return call


@transaction.atomic
def call_caller_left(*, call_id: int, at: dt.datetime | None = None) -> Call:
    """Twilio's status callback: the caller's leg ended.

    Waiting, the caller hung up: abandoned. With an agent (ringing or talking), how the
    agent's leg went — and the talk's length, which billing uses — comes with the <Dial>'s
    own report, which may arrive before or after this one: keep the moment and let that
    report close the call (the sweep asks Twilio if it never comes). An agent reserved for a
    caller on hold and not yet rung (no <Dial> given for this attempt) is no such case: no
    report will come, so the call is abandoned and the agent freed now, not at the sweep.
    """
    at = at or timezone.now()
    call = Call.objects.select_for_update().get(pk=call_id)
    never_rung = call.status == Status.OFFERED and call.dialled_attempt != call.attempts
    if call.status not in Call.LIVE or never_rung:
        return call_hung_up(call_id=call.pk, at=at)
    if call.caller_left_at is None:
        call.caller_left_at = at
        call.save(update_fields=["caller_left_at"])
    return call


@transaction.atomic
def call_lost(*, call_id: int, reason: str, at: dt.datetime | None = None) -> Call:
    """Close a live call nobody can tell us about (the sweep's bound): free the agent, keep
    them on the call (a late report of its end still bills it), flag it for staff."""
    at = at or timezone.now()
    call = Call.objects.select_for_update().get(pk=call_id)
    if call.status not in Call.LIVE:
        return call
    if call.status == Status.OFFERED:
        presence.presence_release(agent_id=call.agent_id)
    else:
        presence.presence_wrap_up(agent_id=call.agent_id, seconds=0)
    _dispatch_on_commit(call.agent_id)
    call.status, call.ended_at, call.outcome = Status.LOST, at, reason
    call.needs_review = True
    call.save(update_fields=["status", "ended_at", "outcome", "needs_review"])
    if call.answered_at is None:  # rang out with no word: missed; a talk lost is no miss
        call_event(call, WebhookEvent.CALL_MISSED)
    return call


@transaction.atomic
def call_voicemail(*, call_id: int, recording_url: str = "", at: dt.datetime | None = None):
    call = Call.objects.select_for_update().get(pk=call_id)
    if call.status not in Call.WAITING:
        if call.status == Status.VOICEMAIL and recording_url and not call.recording_url:
            call.recording_url = recording_url
            call.save(update_fields=["recording_url"])
            call_event(call, WebhookEvent.VOICEMAIL_LEFT)
        if call.status == Status.VOICEMAIL:  # the recording's report: the same one request
            callback_open(call, reason=CallbackRequest.Reason.VOICEMAIL)
        return call
    call.status, call.ended_at = Status.VOICEMAIL, _not_before(call, at or timezone.now())
    call.outcome, call.recording_url = "Voicemail / callback request", recording_url
    call.save(update_fields=["status", "ended_at", "outcome", "recording_url"])
    # The callback queue's request, in this transaction: a voicemail is never left unlisted.
    callback_open(call, reason=CallbackRequest.Reason.VOICEMAIL)
    # voicemail.left once, when its recording is known (with the voicemail or after it): the
    # firm's event carries the link. A caller who hangs up before recording leaves none.
    if recording_url:
        call_event(call, WebhookEvent.VOICEMAIL_LEFT)
    return call


@transaction.atomic
def call_failed(
    *, call_id: int, reason: str, at: dt.datetime | None = None, attempt: int | None = None
) -> Call:
    call = Call.objects.select_for_update().get(pk=call_id)
    if call.status in Call.ENDED or _about_an_earlier_offer(call, attempt):
        return call
    if call.status == Status.IN_PROGRESS:
        raise ConflictError("The call was answered; report how it ended with 'completed'.")
    if call.status == Status.OFFERED:
        _offer_withdraw(call)
    call.status, call.outcome = Status.FAILED, reason
    call.ended_at = _not_before(call, at or timezone.now())
    call.save(update_fields=["status", "ended_at", "outcome", "agent"])
    call_event(call, WebhookEvent.CALL_MISSED)
    return call
