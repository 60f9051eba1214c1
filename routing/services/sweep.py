"""The sweep (beat, every 10 s; inline in the webhooks without a broker): what no callback
will ever tell us, because Twilio does not retry a status callback that failed.

- wrap-ups that are over end, and the agent goes to the longest-waiting caller;
- ghost callers: waiting past the line's maximum wait + ROUTING_WAITING_MARGIN_SECONDS they
  hung up unheard — abandoned, so they no longer hold back every later caller;
- calls an agent holds whose end never came (an offer past ring timeout + margin, a call
  whose caller left past the margin, a conversation now and then): asked about at Twilio
  (`routing.provider`). Still talking: the call goes on (an offer whose "answered" was lost
  becomes a conversation, the agent is never freed mid-call). Over: completed with Twilio's
  duration (billed), or abandoned with the agent released. With nobody to ask (the generic
  API, Twilio without an account SID) or no answer, the call is closed by a bound as lost:
  agent freed, flagged for staff, and a late report of its end still bills it once.
- customer contexts of calls ended over an hour ago that nothing forgot (no wrap-up came:
  lost, abandoned while offered…), on lines that do not keep them (`routing.services.context`).
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agents import presence
from clients.models import MAX_WAIT, RING_TIMEOUT, WebhookEvent
from routing import provider
from routing.models import Call
from routing.services.context import contexts_forget_due
from routing.services.events import (
    call_answered,
    call_completed_with,
    call_hung_up,
    call_lost,
)
from routing.services.firm_events import call_event
from routing.services.wrapup import wrap_up_end, wrap_ups_abandoned_close

Status = Call.Status
TWILIO = "twilio"


def routing_sweep(*, at: dt.datetime | None = None) -> dict[str, int]:
    at = at or timezone.now()
    wrapped = sum(wrap_up_end(agent_id=pk, at=at) for pk in presence.wrap_ups_due(now=at))
    outcomes = [call_reconcile(call_id=pk, at=at) for pk in _live_calls_due(at)]
    return {
        "wrap_ups_ended": wrapped,
        "waiting_ended": waiting_calls_end(at=at),
        "reservations_freed": sum(o in {"abandoned", "lost"} for o in outcomes),
        "calls_reconciled": sum(bool(o) for o in outcomes),
        "contexts_forgotten": contexts_forget_due(at=at),
        "wrap_ups_abandoned": wrap_ups_abandoned_close(at=at),
    }


def waiting_calls_end(*, at: dt.datetime) -> int:
    """End the calls still waiting past the line's maximum wait plus the margin: abandoned."""
    margin = dt.timedelta(seconds=settings.ROUTING_WAITING_MARGIN_SECONDS + MAX_WAIT.low)
    old = Q(status=Status.QUEUED, queued_at__lt=at - margin) | Q(
        status=Status.MENU, created_at__lt=at - margin
    )
    ended = 0
    for call in (
        Call.objects.filter(old)
        .select_related("line")
        .only("pk", "status", "queued_at", "created_at", "line__max_wait_seconds")
    ):
        since = call.queued_at or call.created_at
        bound = dt.timedelta(
            seconds=call.line.max_wait_seconds + settings.ROUTING_WAITING_MARGIN_SECONDS
        )
        if since + bound < at:
            # Compare-and-set: a webhook that moved the call on meanwhile wins. The firm's
            # call.missed is written with the change (one transaction) or not at all.
            with transaction.atomic():
                gone = Call.objects.filter(pk=call.pk, status=call.status).update(
                    status=Status.ABANDONED,
                    ended_at=at,
                    outcome="Caller gone (no word from the provider past the maximum wait)",
                )
                if gone:
                    call_event(Call.objects.get(pk=call.pk), WebhookEvent.CALL_MISSED)
            ended += gone
    return ended


def _live_calls_due(at: dt.datetime) -> list[int]:
    margin = dt.timedelta(seconds=settings.ROUTING_RESERVATION_MARGIN_SECONDS)
    check = dt.timedelta(seconds=settings.ROUTING_TALK_CHECK_SECONDS)
    ring_over = Q(
        status=Status.OFFERED, offered_at__lt=at - margin - dt.timedelta(seconds=RING_TIMEOUT.low)
    )
    caller_left = Q(status__in=Call.LIVE, caller_left_at__lt=at - margin)
    long_talk = Q(status=Status.IN_PROGRESS, answered_at__lt=at - check) & (
        Q(checked_at__isnull=True) | Q(checked_at__lt=at - check)
    )
    # Outbound calls (campaigns' attempts) have legs the other way round (the agent's first,
    # then the contact's): the campaigns sweep reconciles them (campaigns.sweep).
    found = (
        Call.objects.filter(direction=Call.Direction.INBOUND)
        .filter(ring_over | caller_left | long_talk)
        .select_related("line")
    )
    return [call.pk for call in found if _due(call, at)]


def _due(call: Call, at: dt.datetime) -> bool:
    """This call's end should have been reported by now (the query's coarse bounds, exactly)."""
    margin = dt.timedelta(seconds=settings.ROUTING_RESERVATION_MARGIN_SECONDS)
    check = dt.timedelta(seconds=settings.ROUTING_TALK_CHECK_SECONDS)
    if call.caller_left_at is not None and call.caller_left_at + margin < at:
        return True
    if call.status == Status.OFFERED:
        ring = dt.timedelta(seconds=call.line.ring_timeout_seconds)
        return call.offered_at + ring + margin < at
    return call.status == Status.IN_PROGRESS and (
        call.answered_at + check < at and (call.checked_at is None or call.checked_at + check < at)
    )


def call_reconcile(*, call_id: int, at: dt.datetime | None = None) -> str:
    """Settle a live call whose end never came; returns what became of it ("" unchanged).

    The provider is asked outside any transaction (an HTTP request must not hold the call's
    row lock), then each outcome is applied by a service that locks and re-checks the call:
    a callback arriving meanwhile wins, and the sweep's change is then a no-op.
    """
    at = at or timezone.now()
    call = Call.objects.select_related("line").get(pk=call_id)
    if call.status not in Call.LIVE or not _due(call, at):
        return ""
    state = provider.twilio_call_state(call.provider_call_id) if call.provider == TWILIO else None
    if state is None:
        return _bound(call, at)
    if not state.ended:
        if state.answered and call.status == Status.OFFERED:
            call_answered(call_id=call.pk, at=at)  # "answered" was lost: they are talking
            return "answered"
        Call.objects.filter(pk=call.pk).update(checked_at=at)
        return ""  # still on the line: ask again later
    ended_at = state.ended_at or call.caller_left_at or at
    if state.answered and state.talk_seconds is not None:
        done = call_completed_with(call_id=call.pk, duration=state.talk_seconds, at=ended_at)
        return "completed" if done.status == Status.COMPLETED else ""
    if not state.answered and call.status == Status.OFFERED:
        call_hung_up(call_id=call.pk, at=ended_at)  # nobody answered before the caller left
        return "abandoned"
    return _lost(call, at, "Ended at the provider without the talk's length")


def _bound(call: Call, at: dt.datetime) -> str:
    """Nobody to ask: close the call once it is past its bound (as lost, for staff)."""
    if call.status == Status.OFFERED or call.caller_left_at is not None:
        return _lost(call, at, "No word from the provider after the offer")
    if call.answered_at + dt.timedelta(seconds=settings.ROUTING_TALK_BOUND_SECONDS) < at:
        return _lost(call, at, "No word from the provider past the longest call")
    Call.objects.filter(pk=call.pk).update(checked_at=at)
    return ""


def _lost(call: Call, at: dt.datetime, reason: str) -> str:
    closed = call_lost(call_id=call.pk, reason=reason, at=at)
    return "lost" if closed.status == Status.LOST else ""
