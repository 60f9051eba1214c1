"""What the provider tells us of a placed attempt, and what the agent says after it.

An attempt calls the agent first, then the contact (`Attempt.Status`: agent -> contact ->
connected -> ended). Its `routing.Call` (direction outbound) moves with it in the same
transaction: offered while the agent's phone rings, in progress once the contact answers
(`answered_at` is the contact's answer, so talk time and billing are the contact's), then
completed (connected) or failed. The agent's presence follows inbound's: reserved -> on call
(the agent answered) -> wrap-up (connected: the line's wrap-up time) or straight back to
available.

Every event locks the attempt's call row first, then the attempt, and re-checks the status
it moves from: reports come repeated, late or out of order and change nothing once the
attempt has moved on. The end of a placed attempt sends `campaigns.signals.attempt_ended`
inside its transaction (billing writes the ledger row with it), and reschedules the contact
by the campaign's retry rules for that outcome.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from agents import presence
from campaigns.callbacks import callback_done_for
from campaigns.dialer import agent_freed_on_commit, target_day_zone
from campaigns.models import Attempt, Campaign, CampaignContact
from campaigns.signals import attempt_ended
from clients.models import DispositionCode
from routing.models import Call
from routing.services import queue_dispatch

Status = Attempt.Status
Outcome = Attempt.Outcome
State = CampaignContact.State

# An attempt whose dial task has claimed it (provider_call_id) until the provider's id comes.
DIALLING = "dialling"
# A contact not called because our side failed (the agent's leg): tried again this soon.
RETRY_SOON = dt.timedelta(minutes=2)

# Outcomes retried by the campaign's rule for them (minutes; 0 = never).
RETRY_RULE = {
    Outcome.NO_ANSWER: "retry_no_answer_minutes",
    Outcome.BUSY: "retry_busy_minutes",
    Outcome.FAILED: "retry_failed_minutes",
    Outcome.LOST: "retry_failed_minutes",
    Outcome.MACHINE: "retry_machine_minutes",
}
CALL_OUTCOME = {
    Outcome.CONNECTED: "Connected",
    Outcome.NO_ANSWER: "The contact did not answer",
    Outcome.BUSY: "The contact's line was busy",
    Outcome.FAILED: "The call to the contact failed",
    Outcome.MACHINE: "An answering machine answered",
    Outcome.AGENT_MISSED: "The agent did not answer",
    Outcome.OPTED_OUT: "The contact opted out",
    Outcome.LOST: "No word from the provider",
}


def _locked(attempt_id: int) -> Attempt | None:
    """The attempt and its call, locked in that order (call first, as routing locks)."""
    call_id = Attempt.objects.filter(pk=attempt_id).values_list("call_id", flat=True).first()
    if call_id is None:
        return None
    Call.objects.select_for_update().filter(pk=call_id).first()
    return (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("call", "call__line", "campaign", "target", "target__contact")
        .filter(pk=attempt_id)
        .first()
    )


def attempt_by_provider_id(*, provider: str, sid: str) -> Attempt | None:
    return Attempt.objects.filter(provider=provider, provider_call_id=sid).first()


def attempt_dial_claim(*, attempt_id: int) -> bool:
    """Compare-and-set before asking the provider to dial: only one run of the dial task (a
    redelivered or repeated one) ever calls the agent's phone for an attempt."""
    return (
        Attempt.objects.filter(pk=attempt_id, status=Status.AGENT, provider_call_id="").update(
            provider_call_id=DIALLING
        )
        == 1
    )


@transaction.atomic
def attempt_dialled(*, attempt_id: int, provider_call_id: str) -> Attempt | None:
    """The provider took the call to the agent's phone: keep its id (its callbacks name it).

    Still live, not just "calling the agent": the agent may answer (and its webhook name the
    call) before the provider's answer to our request comes back."""
    attempt = _locked(attempt_id)
    if attempt is None or attempt.status not in Attempt.LIVE:
        return attempt
    if attempt.provider_call_id not in {"", DIALLING}:
        return attempt  # a repeat: the first id stays
    attempt.provider_call_id = provider_call_id
    attempt.save(update_fields=["provider_call_id"])
    Call.objects.filter(pk=attempt.call_id).update(provider_call_id=provider_call_id)
    return attempt


@transaction.atomic
def attempt_dial_failed(
    *, attempt_id: int, reason: str, at: dt.datetime | None = None
) -> Attempt | None:
    """The agent's phone could not be called (the provider down or refusing, not set up, or
    the dial task lost): the attempt fails on our side, not the contact's. The agent is freed
    without a strike, the contact is not counted and is tried again soon."""
    at = at or timezone.now()
    attempt = _locked(attempt_id)
    if attempt is None or attempt.status != Status.AGENT:
        return attempt
    return _end(attempt, outcome=Outcome.FAILED, at=at, note=reason[:200], contact_called=False)


@transaction.atomic
def attempt_agent_answered(*, attempt_id: int, at: dt.datetime | None = None) -> Attempt | None:
    """The agent picked up: now call the contact (the answer to the provider says how)."""
    at = at or timezone.now()
    attempt = _locked(attempt_id)
    if attempt is None or attempt.status != Status.AGENT:
        return attempt
    attempt.status, attempt.agent_answered_at = Status.CONTACT, at
    attempt.save(update_fields=["status", "agent_answered_at"])
    presence.presence_answered(agent_id=attempt.agent_id)
    Call.objects.filter(pk=attempt.call_id).update(outcome="Calling the contact")
    return attempt


@transaction.atomic
def attempt_contact_answered(
    *, attempt_id: int, at: dt.datetime | None = None, contact_call_id: str = ""
) -> Attempt | None:
    """The contact picked up: the conversation starts (the call is in progress)."""
    at = at or timezone.now()
    attempt = _locked(attempt_id)
    if attempt is None or attempt.status != Status.CONTACT:
        return attempt
    attempt.status, attempt.connected_at = Status.CONNECTED, at
    attempt.contact_call_id = contact_call_id[:64] or attempt.contact_call_id
    attempt.save(update_fields=["status", "connected_at", "contact_call_id"])
    call = attempt.call
    call.status, call.answered_at = Call.Status.IN_PROGRESS, max(at, call.offered_at)
    call.outcome = "Talking"
    call.save(update_fields=["status", "answered_at", "outcome"])
    return attempt


@transaction.atomic
def attempt_dial_ended(
    *,
    attempt_id: int,
    outcome: str,
    talk_seconds: int | None = None,
    at: dt.datetime | None = None,
) -> Attempt | None:
    """The contact's leg is over (the <Dial>'s report, or the generic API's event)."""
    at = at or timezone.now()
    attempt = _locked(attempt_id)
    if attempt is None or attempt.status not in {Status.CONTACT, Status.CONNECTED}:
        if attempt is not None and attempt.status == Status.AGENT:
            # The report of the contact's leg came before the agent's "answered".
            attempt.agent_answered_at = at
            presence.presence_answered(agent_id=attempt.agent_id)
        else:
            return attempt
    if outcome == Outcome.CONNECTED and attempt.connected_at is None:
        attempt.connected_at = at - dt.timedelta(seconds=talk_seconds or 0)
    return _end(attempt, outcome=outcome, talk_seconds=talk_seconds, at=at)


@transaction.atomic
def attempt_agent_leg_ended(*, attempt_id: int, at: dt.datetime | None = None) -> Attempt | None:
    """The agent's leg is over (its status callback). Before they answered: missed (a
    strike, as for inbound; the contact was never called and is tried again). After: the
    contact's leg report closes the attempt; it is kept here only if none comes."""
    at = at or timezone.now()
    attempt = _locked(attempt_id)
    if attempt is None or attempt.status not in Attempt.LIVE:
        return attempt
    if attempt.status == Status.AGENT:
        return _end(attempt, outcome=Outcome.AGENT_MISSED, at=at)
    call = attempt.call
    if call.caller_left_at is None:
        call.caller_left_at = at  # "the other party left": the agent, for an outbound call
        call.save(update_fields=["caller_left_at"])
    return attempt


@transaction.atomic
def attempt_opted_out(*, attempt_id: int, at: dt.datetime | None = None) -> Attempt | None:
    """The contact pressed the opt-out key: never called again by this firm."""
    from campaigns.imports import suppression_add

    at = at or timezone.now()
    attempt = _locked(attempt_id)
    if attempt is None or attempt.status == Status.REFUSED:
        return attempt
    if attempt.status not in Attempt.LIVE and attempt.outcome == Outcome.OPTED_OUT:
        return attempt  # a repeat
    # The contact's wish stands even if the attempt was closed meanwhile (the agent hung up,
    # the sweep): the number goes on the firm's list and the contact is not called again.
    suppression_add(
        actor=None,
        firm=attempt.campaign.firm,
        number=str(attempt.number),
        source="opt_out",
        attempt=attempt,
    )
    if attempt.status not in Attempt.LIVE:
        CampaignContact.objects.filter(pk=attempt.target_id).update(
            state=State.REFUSED, agent=None, held_until=None, last_outcome=Outcome.OPTED_OUT
        )
        return attempt
    return _end(attempt, outcome=Outcome.OPTED_OUT, at=at)


@transaction.atomic
def attempt_lost(*, attempt_id: int, reason: str, at: dt.datetime | None = None) -> Attempt | None:
    """Nobody can tell how it went (the sweep's bound): close it, free the agent."""
    at = at or timezone.now()
    attempt = _locked(attempt_id)
    if attempt is None or attempt.status not in Attempt.LIVE:
        return attempt
    attempt.call.needs_review = True
    attempt.call.save(update_fields=["needs_review"])
    # Lost before the agent answered: the contact's phone never rang (not their attempt).
    called = attempt.agent_answered_at is not None
    return _end(attempt, outcome=Outcome.LOST, at=at, note=reason, contact_called=called)


def _end(
    attempt: Attempt,
    *,
    outcome: str,
    at: dt.datetime,
    talk_seconds: int | None = None,
    note: str = "",
    contact_called: bool = True,
) -> Attempt:
    """Close a live attempt and its call (locked by the caller), free or wrap up the agent,
    reschedule the contact, and tell billing — all in this transaction. `contact_called`
    False: only the agent's leg was tried (our side failed), nothing to count or price."""
    if outcome == Outcome.AGENT_MISSED:
        contact_called = False
    call = attempt.call
    connected = outcome == Outcome.CONNECTED
    ended_at = max(at, call.offered_at)
    attempt.status, attempt.outcome, attempt.ended_at = Status.ENDED, outcome, ended_at
    if connected:
        talk = talk_seconds
        if talk is None:
            talk = max(0, int((ended_at - attempt.connected_at).total_seconds()))
        attempt.talk_seconds = talk
        call.status, call.talk_seconds = Call.Status.COMPLETED, talk
        call.answered_at = max(call.answered_at or attempt.connected_at, call.offered_at)
        call.answered_at = min(call.answered_at, ended_at)
        # A campaign needs the agent's disposition (do not call, call back, machine): a line
        # with no wrap-up time of its own gives its outbound calls the campaigns' default.
        seconds = call.line.wrap_up_seconds or settings.CAMPAIGNS_WRAP_UP_SECONDS
        call.wrap_up = Call.WrapUp.PENDING if seconds > 0 else ""
    else:
        call.status, seconds = Call.Status.FAILED, 0
    attempt.save(
        update_fields=[
            "status",
            "outcome",
            "ended_at",
            "talk_seconds",
            "connected_at",
            "agent_answered_at",
        ]
    )
    call.ended_at = ended_at
    call.outcome = note or CALL_OUTCOME.get(outcome, outcome)
    call.save(
        update_fields=["status", "ended_at", "talk_seconds", "answered_at", "wrap_up", "outcome"]
    )
    _agent_after(attempt, outcome=outcome, wrap_up_seconds=seconds, contact_called=contact_called)
    # The target re-read under its lock (call -> attempt -> target, the order every event
    # takes): the row read with the attempt may be stale, and the save below writes it whole.
    target = (
        CampaignContact.objects.select_for_update(of=("self",))
        .select_related("contact")
        .get(pk=attempt.target_id)
    )
    _reschedule(
        target,
        attempt.campaign,
        outcome=outcome,
        at=ended_at,
        attempt=attempt,
        counted=contact_called,
    )
    if contact_called:  # the contact was called: an activity to price
        attempt_ended.send(sender=Attempt, attempt=attempt)
    return attempt


def _agent_after(
    attempt: Attempt, *, outcome: str, wrap_up_seconds: int, contact_called: bool = True
) -> None:
    agent_id = attempt.agent_id
    if outcome == Outcome.AGENT_MISSED:
        if not presence.presence_no_answer(agent_id=agent_id):
            agent_freed_on_commit(agent_id)
        return
    if outcome == Outcome.FAILED and not contact_called:
        # Our side failed to ring the agent: free them without a strike. Inbound callers may
        # have them at once; the next outbound dial waits for the dialer's tick, so a provider
        # that is down is not asked again for every contact in a loop.
        presence.presence_release(agent_id=agent_id)
        transaction.on_commit(lambda: queue_dispatch(agent_id=agent_id), robust=True)
        return
    if outcome == Outcome.LOST and attempt.agent_answered_at is None:
        presence.presence_release(agent_id=agent_id)
        agent_freed_on_commit(agent_id)
        return
    presence.presence_wrap_up(agent_id=agent_id, seconds=wrap_up_seconds)
    if wrap_up_seconds <= 0:
        agent_freed_on_commit(agent_id)
    # With a wrap-up, the agent frees when they submit it or its time is over (routing's
    # wrap-up end and sweep); the dialer's tick then gives them the next contact.


def _next_day_opening(target: CampaignContact, campaign: Campaign, at: dt.datetime) -> dt.datetime:
    tz = target_day_zone(target)
    tomorrow = at.astimezone(tz).date() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, campaign.window_start, tzinfo=tz)


def _reschedule(
    target: CampaignContact,
    campaign: Campaign,
    *,
    outcome: str,
    at: dt.datetime,
    attempt: Attempt,
    counted: bool = True,
) -> None:
    """The contact's next try by the campaign's rules: retried after the outcome's minutes
    (0: never) while attempts remain, not again on a day that had its attempts; the agent
    missing the call is not the contact's attempt; connected and opted-out calls are done
    (a disposition may still ask for a callback or a retry)."""
    target.agent, target.held_until, target.last_outcome = None, None, outcome
    if outcome == Outcome.AGENT_MISSED or not counted:
        # The contact's phone never rang: not their attempt, tried again soon.
        target.attempts = max(0, target.attempts - 1)
        target.attempts_today = max(0, target.attempts_today - 1)
        soon = dt.timedelta(minutes=1) if outcome == Outcome.AGENT_MISSED else RETRY_SOON
        target.state, target.next_attempt_at = State.PENDING, at + soon
    elif outcome == Outcome.OPTED_OUT:
        target.state = State.REFUSED
    elif outcome == Outcome.CONNECTED:
        target.state = State.DONE
        callback_done_for(target, at=at)
    else:
        minutes = getattr(campaign, RETRY_RULE[outcome])
        if minutes <= 0 or target.attempts >= campaign.max_attempts:
            target.state = State.DONE
        else:
            target.state = State.PENDING
            target.next_attempt_at = at + dt.timedelta(minutes=minutes)
            if target.attempts_today >= campaign.max_attempts_per_day:
                target.next_attempt_at = max(
                    target.next_attempt_at, _next_day_opening(target, campaign, at)
                )
    target.save()


# --- The agent's disposition (heard from routing's wrap-up: campaigns.receivers) -----------


def attempt_disposed(
    *, call: Call, disposition: DispositionCode | None, callback_at: dt.datetime | None
) -> None:
    """An outbound call's wrap-up ended (inside routing's transaction): act on the code.
    Do not call -> the firm's do-not-call list; callback -> the contact again at the time
    given (or in an hour), to the same agent first; machine -> retried by the machine rule."""
    from campaigns.imports import suppression_add

    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("campaign", "campaign__firm", "target", "target__contact")
        .filter(call=call)
        .first()
    )
    if attempt is None:
        return
    attempt.disposition = disposition
    attempt.callback_at = callback_at
    attempt.save(update_fields=["disposition", "callback_at"])
    if disposition is None:
        return
    Kind = DispositionCode.Kind
    target = CampaignContact.objects.select_for_update().get(pk=attempt.target_id)
    target.contact = attempt.target.contact
    if disposition.kind == Kind.DO_NOT_CALL:
        suppression_add(
            actor=None,
            firm=attempt.campaign.firm,
            number=str(attempt.number),
            source="disposition",
            attempt=attempt,
        )
        target.state, target.last_outcome = State.REFUSED, "do_not_call"
        target.save(update_fields=["state", "last_outcome", "updated_at"])
    elif disposition.kind == Kind.CALLBACK:
        due = callback_at or timezone.now() + dt.timedelta(hours=1)
        target.state, target.next_attempt_at = State.PENDING, due
        target.agent = attempt.agent
        target.held_until = due + dt.timedelta(seconds=settings.CAMPAIGNS_CALLBACK_HOLD_SECONDS)
        if target.attempts >= attempt.campaign.max_attempts:
            target.attempts = attempt.campaign.max_attempts - 1  # a promised callback is owed
        target.save()
    elif disposition.kind == Kind.MACHINE:
        _reschedule(
            target, attempt.campaign, outcome=Outcome.MACHINE, at=timezone.now(), attempt=attempt
        )
        Attempt.objects.filter(pk=attempt.pk).update(outcome=Outcome.MACHINE)
