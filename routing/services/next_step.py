"""What the provider does next with a call: one rule for the Twilio webhooks and the JSON API.

`call_next_step` first tries to place a waiting caller (while offers remain), then reads the
answer off the call: dial the reserved agent, wait (ask again in `retry_after` seconds), take a
message, tell the hours (closed), or hang up. The webhooks turn the step into TwiML and the
call API into JSON; neither decides anything itself, so a line answers the same way whichever
provider carries the call.
"""

import datetime as dt
import enum
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from agents.models import AgentProfile
from routing.models import Call
from routing.services.deciding import call_route
from routing.services.events import attempts_exhausted

Status = Call.Status


class Kind(enum.StrEnum):
    MENU = "menu"  # ask for a language (several on the line, none chosen yet)
    DIAL = "dial"  # ring `number`, the reserved agent's phone, for `ring_timeout` seconds
    WAIT = "wait"  # nobody free yet: hold, and ask again in `retry_after` seconds
    VOICEMAIL = "voicemail"  # offers used up or the line's maximum wait reached: take a message
    CLOSED = "closed"  # the call came outside the line's business hours: say them, hang up
    TALKING = "talking"  # the agent answered: nothing to do until the call ends
    HANGUP = "hangup"  # the call is over
    # the agent transferred the caller: dial `number` (another of the firm's lines or its
    # escalation number), showing `caller_id`, the line's number
    TRANSFER = "transfer"


@dataclass(frozen=True)
class NextStep:
    kind: Kind
    call: Call
    agent: AgentProfile | None = None
    number: str = ""  # the agent's phone, to dial
    caller_id: str = ""  # the line's number, shown to the agent
    ring_timeout: int | None = None  # seconds
    retry_after: int | None = None  # seconds


def call_next_step(*, call: Call, at: dt.datetime | None = None) -> NextStep:
    """Place a waiting caller if an offer remains, then answer what the provider does next."""
    at = at or timezone.now()
    if call.status == Status.QUEUED and not attempts_exhausted(call):
        call = call_route(call_id=call.pk, at=at).call
    step = next_step_of(call, at=at)
    if step.kind == Kind.DIAL and call.dialled_attempt != call.attempts:
        # The provider rings the agent from this answer on: the <Dial>'s report closes the
        # offer. A compare-and-set on the offer as read: a caller who hung up meanwhile
        # (call_caller_left, under the call's lock) made it over, and the answer says so.
        offer = Call.objects.filter(pk=call.pk, status=Status.OFFERED, attempts=call.attempts)
        if not offer.update(dialled_attempt=call.attempts):
            return next_step_of(Call.objects.select_related("line").get(pk=call.pk), at=at)
        call.dialled_attempt = call.attempts
    return step


def next_step_of(call: Call, *, at: dt.datetime) -> NextStep:
    """The step for the call as it stands (reads only). Business hours were applied when the
    call arrived (`call_start` marks it after hours); the maximum wait counts from the queue."""
    line = call.line
    if call.status == Status.AFTER_HOURS:
        return NextStep(Kind.CLOSED, call)
    if call.status == Status.MENU:
        return NextStep(Kind.MENU, call)
    if call.status == Status.OFFERED:
        return NextStep(
            Kind.DIAL,
            call,
            agent=call.agent,
            number=str(call.agent.phone),
            caller_id=str(line.number),
            ring_timeout=line.ring_timeout_seconds,
        )
    if call.status == Status.IN_PROGRESS:
        return NextStep(Kind.TALKING, call, agent=call.agent)
    if call.status == Status.QUEUED:
        waited = (at - call.queued_at).total_seconds() if call.queued_at else 0
        # `>=`: a line with a maximum wait of 0 never holds a caller nobody can take now.
        if attempts_exhausted(call) or waited >= line.max_wait_seconds:
            return NextStep(Kind.VOICEMAIL, call)
        return NextStep(Kind.WAIT, call, retry_after=settings.ROUTING_HOLD_PAUSE_SECONDS)
    if call.transferred_at is not None and call.status == Status.COMPLETED:
        return NextStep(
            Kind.TRANSFER, call, number=str(call.transferred_to), caller_id=str(line.number)
        )
    return NextStep(Kind.HANGUP, call)
