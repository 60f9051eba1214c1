"""The campaigns sweep (beat `campaigns.dial`, every 2 s; inline in the outbound webhooks in
the embedded setup): what no callback will ever tell, since Twilio does not retry a status
callback that failed.

- Live attempts whose report never came (`attempt_reconcile`): the agent's phone ringing past
  the line's ring timeout + ROUTING_RESERVATION_MARGIN_SECONDS, the contact's likewise from the
  agent's answer, an agent who left with no report of the contact's leg past the margin, and a
  conversation every ROUTING_TALK_CHECK_SECONDS. Twilio's are asked about at Twilio
  (`provider.attempt_state`, outside any transaction), then settled by the events services,
  which lock and re-check: a report arriving meanwhile wins. With nobody to ask (the generic
  API, Twilio not set up or not answering) the bound closes them as lost (`events.attempt_lost`);
  a conversation only after ROUTING_TALK_BOUND_SECONDS.
- Placed attempts never dialled (no provider call id CAMPAIGNS_DIAL_START_SECONDS after the
  placement: the broker lost the task, or no generic provider asked): failed on our side,
  agent freed, the contact tried again soon and not counted.
- Preview holds past `held_until` go back to pending; a target left "dialing" with no live
  attempt (a placement's cleanup that never ran) too.
- Campaigns whose first day has come start, those whose last day is over complete
  (`lifecycle.campaigns_due`).
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from campaigns import dialer, events, imports, lifecycle, provider
from campaigns.models import Attempt, CampaignContact
from clients.models import RING_TIMEOUT
from routing.models import Call

logger = logging.getLogger(__name__)
Status = Attempt.Status
Outcome = Attempt.Outcome
State = CampaignContact.State
NOT_DIALLED = ("", events.DIALLING)
TICK_SECONDS = 2  # the embedded setup's inline tick: at most this often
TICK_KEY = "campaigns:dial_tick"  # shared with the agent's outbound page (agent_views._tick)
NOT_ANSWERED = {
    "no-answer": Outcome.NO_ANSWER,
    "busy": Outcome.BUSY,
    "failed": Outcome.FAILED,
    "canceled": Outcome.NO_ANSWER,  # the agent gave up while the contact's phone rang
}


def campaigns_sweep(*, at: dt.datetime | None = None) -> dict:
    at = at or timezone.now()
    outcomes = [attempt_reconcile(attempt_id=pk, at=at) for pk in _live_attempts_due(at)]
    swept = {
        "attempts_reconciled": sum(bool(o) for o in outcomes),
        "never_dialled": outcomes.count("not dialled"),
        "holds_released": holds_release(at=at),
        "targets_repaired": targets_repair(at=at),
    }
    due = lifecycle.campaigns_due(at=at)  # campaigns whose first day came or last day is over
    swept |= {
        "campaigns_started": len(due["started"]),
        "campaigns_completed": len(due["completed"]),
    }
    lost = imports.imports_sweep(now=at)  # imports whose worker died or whose task was lost
    swept |= {f"imports_{key}": len(ids) for key, ids in lost.items()}
    return swept


def campaigns_tick(*, at: dt.datetime | None = None) -> dict:
    """The sweep, then one round of progressive dialing (the beat task's body)."""
    swept = campaigns_sweep(at=at)
    return {**swept, "dialled": dialer.progressive_dial(at=at)}


def campaigns_tick_inline() -> None:
    """The embedded setup has no beat: the webhooks run the tick, at most every 2 s."""
    if settings.CELERY_TASK_ALWAYS_EAGER and cache.add(TICK_KEY, 1, timeout=TICK_SECONDS):
        try:
            campaigns_tick()
        except Exception:  # the tick must never cost a webhook its answer
            logger.exception("The inline campaigns tick failed")


# --- Live attempts ---------------------------------------------------------------------------


def _margin() -> dt.timedelta:
    return dt.timedelta(seconds=settings.ROUTING_RESERVATION_MARGIN_SECONDS)


def _live_attempts_due(at: dt.datetime) -> list[int]:
    margin, check = _margin(), dt.timedelta(seconds=settings.ROUTING_TALK_CHECK_SECONDS)
    shortest_ring = at - margin - dt.timedelta(seconds=RING_TIMEOUT.low)
    start = at - dt.timedelta(seconds=settings.CAMPAIGNS_DIAL_START_SECONDS)
    coarse = (
        Q(status=Status.AGENT, placed_at__lt=max(shortest_ring, start))
        | Q(status=Status.CONTACT, agent_answered_at__lt=shortest_ring)
        | Q(status=Status.CONNECTED, connected_at__lt=at - check)
        | Q(call__caller_left_at__lt=at - margin)
    )
    found = (
        Attempt.objects.filter(status__in=Attempt.LIVE)
        .filter(coarse)
        .select_related("call", "campaign__line")
        .order_by("pk")
    )
    return [a.pk for a in found if _due(a, at)]


def _never_dialled(attempt: Attempt, at: dt.datetime) -> bool:
    start = dt.timedelta(seconds=settings.CAMPAIGNS_DIAL_START_SECONDS)
    return (
        attempt.status == Status.AGENT
        and attempt.provider_call_id in NOT_DIALLED
        and attempt.placed_at + start < at
    )


def _due(attempt: Attempt, at: dt.datetime) -> bool:
    """This attempt's next report should have come by now."""
    margin = _margin()
    check = dt.timedelta(seconds=settings.ROUTING_TALK_CHECK_SECONDS)
    ring = dt.timedelta(seconds=attempt.campaign.line.ring_timeout_seconds)
    call = attempt.call
    if attempt.status == Status.AGENT and attempt.provider_call_id in NOT_DIALLED:
        return _never_dialled(attempt, at)
    if call.caller_left_at is not None and call.caller_left_at + margin < at:
        return True
    # A leg Twilio still says is ringing is asked about again only after another margin.
    asked = call.checked_at is not None and call.checked_at + margin >= at
    if attempt.status == Status.AGENT:
        return attempt.placed_at + ring + margin < at and not asked
    if attempt.status == Status.CONTACT:
        return attempt.agent_answered_at + ring + margin < at and not asked
    return attempt.connected_at + check < at and (
        call.checked_at is None or call.checked_at + check < at
    )


def attempt_reconcile(*, attempt_id: int, at: dt.datetime | None = None) -> str:
    """Settle a live attempt whose report never came; what became of it ("" unchanged).

    Twilio is asked outside any transaction (an HTTP request must not hold row locks); each
    outcome then goes through an events service that locks and re-checks the attempt."""
    at = at or timezone.now()
    attempt = Attempt.objects.select_related("call", "campaign__line").get(pk=attempt_id)
    if attempt.status not in Attempt.LIVE or not _due(attempt, at):
        return ""
    if _never_dialled(attempt, at):
        why = "Never dialled: the dial task was lost, or no provider asked for it"
        done = events.attempt_dial_failed(attempt_id=attempt.pk, reason=why, at=at)
        return "not dialled" if done.status == Status.ENDED else ""
    state = provider.attempt_state(attempt)
    if state is None:
        return _bound(attempt, at)
    return _settle(attempt, state, at)


def _settle(attempt: Attempt, state: provider.AttemptState, at: dt.datetime) -> str:
    agent, contact = state.agent, state.contact
    pk = attempt.pk
    if not agent.ended:
        if agent.status == "in-progress" and attempt.status == Status.AGENT:
            events.attempt_agent_answered(attempt_id=pk, at=at)  # its webhook was lost
        if contact is not None and contact.status == "in-progress":
            events.attempt_contact_answered(attempt_id=pk, at=at)
        Call.objects.filter(pk=attempt.call_id).update(checked_at=at)
        return "talking" if contact is not None and contact.status == "in-progress" else ""
    ended_at = (contact.ended_at if contact else None) or agent.ended_at or at
    ended_at = min(ended_at, at)
    if contact is None:
        if attempt.status == Status.AGENT and agent.status in NOT_ANSWERED:
            done = events.attempt_agent_leg_ended(attempt_id=pk, at=ended_at)  # missed
            return "agent missed" if done.status == Status.ENDED else ""
        # The agent's leg is over and no contact was ever rung: our answer never took effect.
        return _lost(attempt, at, "The agent's leg ended without the contact being dialled")
    if contact.status == "completed" and contact.duration > 0:
        done = events.attempt_dial_ended(
            attempt_id=pk, outcome=Outcome.CONNECTED, talk_seconds=contact.duration, at=ended_at
        )
    elif contact.status in NOT_ANSWERED or contact.status == "completed":
        outcome = NOT_ANSWERED.get(contact.status, Outcome.NO_ANSWER)
        done = events.attempt_dial_ended(attempt_id=pk, outcome=outcome, at=ended_at)
    else:
        return _lost(attempt, at, "The agent's leg ended with the contact's still open")
    return "ended" if done.status == Status.ENDED else ""


def _bound(attempt: Attempt, at: dt.datetime) -> str:
    """Nobody to ask: close it once past its bound, as lost (flagged for staff)."""
    if attempt.status != Status.CONNECTED or attempt.call.caller_left_at is not None:
        return _lost(attempt, at, "No word from the provider")
    talk_bound = dt.timedelta(seconds=settings.ROUTING_TALK_BOUND_SECONDS)
    if attempt.connected_at + talk_bound < at:
        return _lost(attempt, at, "No word from the provider past the longest call")
    Call.objects.filter(pk=attempt.call_id).update(checked_at=at)
    return ""


def _lost(attempt: Attempt, at: dt.datetime, reason: str) -> str:
    done = events.attempt_lost(attempt_id=attempt.pk, reason=reason, at=at)
    return "lost" if done.status == Status.ENDED else ""


# --- Targets -------------------------------------------------------------------------------


def holds_release(*, at: dt.datetime) -> int:
    """Contacts shown in preview past their hold go back to everyone. A compare-and-set: an
    agent pressing Call meanwhile holds the row (attempt_place locks it) and moves it on, and
    PostgreSQL re-checks the WHERE on the row it waited for."""
    return CampaignContact.objects.filter(state=State.PREVIEW, held_until__lt=at).update(
        state=State.PENDING, agent=None, held_until=None, updated_at=at
    )


def targets_repair(*, at: dt.datetime) -> int:
    """A target "dialing" with no live attempt for a while (a claim whose placement never
    happened) goes back to pending."""
    live = Attempt.objects.filter(target=OuterRef("pk"), status__in=Attempt.LIVE)
    quiet = at - dt.timedelta(seconds=settings.CAMPAIGNS_DIAL_START_SECONDS)
    return (
        CampaignContact.objects.filter(state=State.DIALING, updated_at__lt=quiet)
        .filter(~Exists(live))
        .update(state=State.PENDING, agent=None, held_until=None, updated_at=at)
    )
