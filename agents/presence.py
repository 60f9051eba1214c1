"""An agent's duty while calls come and go: available -> reserved -> on call -> wrap-up.

Routing drives these transitions (it calls them inside its own transactions); each one is a
compare-and-set UPDATE on the expected current state, so a late or repeated event (a provider
retry, a sweep racing a callback) changes nothing and says so by returning False.
"""

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from agents.models import AgentProfile, DutySpell
from agents.signals import agent_offline

Duty = AgentProfile.Duty
NO_ANSWER_LIMIT = 3


def _move(agent_id: int, source: set[str], **fields) -> bool:
    fields.setdefault("duty_changed_at", timezone.now())
    return AgentProfile.objects.filter(pk=agent_id, duty_status__in=source).update(**fields) == 1


def duty_spell_sync(*, agent_id: int, on_duty: bool, at: dt.datetime | None = None) -> None:
    """Open the agent's duty spell when they come on duty, close it when they go offline.

    Called inside the transaction that changes `duty_status`, with the agent's row locked
    (or its compare-and-set UPDATE done), so two switches of one agent never interleave; the
    one-open-spell constraint backs that up. Safe to call twice: an open spell stays open,
    a closed one stays closed."""
    at = at or timezone.now()
    spell = DutySpell.objects.select_for_update().filter(agent_id=agent_id, ended_at=None).first()
    if on_duty and spell is None:
        DutySpell.objects.create(agent_id=agent_id, started_at=at)
    elif not on_duty and spell is not None:
        spell.ended_at = max(at, spell.started_at)
        spell.save(update_fields=["ended_at"])


def presence_reserve(*, agent_id: int) -> bool:
    """Hold an available agent for one call (the caller's transaction has locked the row)."""
    return _move(agent_id, {Duty.AVAILABLE}, duty_status=Duty.RESERVED)


def presence_answered(*, agent_id: int) -> bool:
    return _move(
        agent_id, {Duty.RESERVED}, duty_status=Duty.ON_CALL, no_answer_strikes=0, duty_notice=""
    )


def presence_wrap_up(*, agent_id: int, seconds: int) -> bool:
    """The call ended: wrap-up for `seconds` (0: straight back to available)."""
    now = timezone.now()
    # The call was answered, so the missed-calls count starts again: Twilio's flow never
    # reports "answered" separately (presence_answered), only the completed dial.
    answered = {"no_answer_strikes": 0, "duty_notice": ""}
    if seconds <= 0:
        return _move(
            agent_id,
            {Duty.ON_CALL, Duty.RESERVED},
            duty_status=Duty.AVAILABLE,
            wrap_up_until=None,
            **answered,
        )
    return _move(
        agent_id,
        {Duty.ON_CALL, Duty.RESERVED},
        duty_status=Duty.WRAP_UP,
        wrap_up_until=now + dt.timedelta(seconds=seconds),
        **answered,
    )


def presence_wrap_up_end(*, agent_id: int) -> bool:
    return _move(agent_id, {Duty.WRAP_UP}, duty_status=Duty.AVAILABLE, wrap_up_until=None)


@transaction.atomic
def presence_no_answer(*, agent_id: int) -> bool:
    """An offer rang out (no answer, busy, failed): release the agent with a strike.

    Three in a row take the agent offline with a notice on their home page, so callers stop
    ringing a phone nobody picks up. Returns True when the agent went offline.
    """
    agent = AgentProfile.objects.select_for_update().filter(pk=agent_id).first()
    if agent is None or agent.duty_status != Duty.RESERVED:
        return False
    agent.no_answer_strikes = F("no_answer_strikes") + 1
    agent.save(update_fields=["no_answer_strikes"])
    agent.refresh_from_db(fields=["no_answer_strikes"])
    offline = agent.no_answer_strikes >= NO_ANSWER_LIMIT
    if offline:
        _move(
            agent_id,
            {Duty.RESERVED},
            duty_status=Duty.OFFLINE,
            duty_notice=(
                f"You missed {agent.no_answer_strikes} calls in a row, so we set you offline. "
                "Go available again when you are ready to answer."
            ),
        )
        duty_spell_sync(agent_id=agent_id, on_duty=False)
        transaction.on_commit(
            lambda: agent_offline.send(sender=AgentProfile, agent_id=agent_id), robust=True
        )
    else:
        # Back in line, but behind agents who have been idle longer (duty_changed_at = now).
        _move(agent_id, {Duty.RESERVED}, duty_status=Duty.AVAILABLE)
    return offline


def presence_release(*, agent_id: int) -> bool:
    """Undo a reservation without a strike (the caller hung up before the agent's phone rang)."""
    return _move(agent_id, {Duty.RESERVED}, duty_status=Duty.AVAILABLE)


def wrap_ups_due(*, now: dt.datetime | None = None) -> list[int]:
    """Agents whose wrap-up time is over (the sweep ends them)."""
    now = now or timezone.now()
    return list(
        AgentProfile.objects.filter(duty_status=Duty.WRAP_UP, wrap_up_until__lte=now).values_list(
            "pk", flat=True
        )
    )
