"""A small known dataset for the analytics tests: calls at given local times, with decisions."""

import datetime as dt
import itertools

from django.utils import timezone

from routing.models import Call, RoutingDecision

_ids = itertools.count(1)


def at(days_ago: int, hour: int, minute: int = 0) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def make_call(
    line,
    when,
    status="completed",
    *,
    agent=None,
    wait=10,
    talk=60,
    caller="+919845012345",
    offers=(),
    ranked=(),
):
    """A call of `line` created `when`: queued then, answered `wait` s later by `agent` when
    completed; `offers`: agents offered in turn (decisions), `ranked`: the others listed."""
    answered = status == "completed"
    call = Call.objects.create(
        provider="twilio",
        provider_call_id=f"CA-an-{next(_ids)}",
        line=line,
        firm_id=line.firm_id,
        domain=line.domain,
        caller=caller,
        language="ta",
        status=status,
        agent=agent,
        queued_at=None if status == "after_hours" else when,
        answered_at=when + dt.timedelta(seconds=wait) if answered else None,
        ended_at=when + dt.timedelta(seconds=wait + talk) if status in Call.ENDED else None,
        talk_seconds=talk if answered else None,
    )
    Call.objects.filter(pk=call.pk).update(created_at=when)
    for attempt, chosen in enumerate(offers, start=1):
        listed = [chosen, *[a for a in ranked if a != chosen]]
        RoutingDecision.objects.create(
            call=call,
            attempt=attempt,
            chosen=chosen,
            outcome="offered",
            candidates=[{"agent": a.pk, "name": a.full_name, "km": 1, "idle_s": 1} for a in listed],
        )
    return call
