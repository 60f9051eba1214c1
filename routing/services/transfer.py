"""A cold transfer: the agent sends the caller to another of the firm's lines, or to the
line's escalation number, and their part of the call ends there.

On Twilio the live call is redirected first (its REST API, outside any transaction: a slow or
refusing Twilio holds no lock), with a <Dial> to the target showing the line's number. If
Twilio refuses, nothing is recorded and the caller stays with the agent. Once it accepted,
the transfer is recorded on the locked call and the agent's part completed as any call: the
talk up to now (`call_completed_with`: billed, agent to wrap-up). The <Dial> that Twilio
interrupted may still report; the call is completed by then, so that report changes nothing.

Other providers carry out the transfer themselves: a call the agent transferred answers the
provider's next request with next step `transfer` and the number, and a provider's own
`transfer` event (`call_transfer_reported`) records the same.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from agents.models import AgentProfile
from clients.models import PhoneLine
from common.audit import audit_log
from common.errors import ApplicationError, ConflictError
from common.models import AuditAction
from routing import provider
from routing.models import Call
from routing.services.events import call_completed_with

Status = Call.Status
TWILIO = "twilio"


def transfer_targets(call: Call) -> list[PhoneLine]:
    """The firm's other active lines the agent may send the caller to."""
    return list(
        PhoneLine.objects.filter(firm_id=call.firm_id, is_active=True)
        .exclude(pk=call.line_id)
        .order_by("name")
    )


def _target(
    call: Call, *, to_line_id: int | None, escalation: bool
) -> tuple[str, PhoneLine | None]:
    if escalation:
        if not call.line.escalation_number:
            raise ApplicationError("This line has no escalation number.", field="to")
        return str(call.line.escalation_number), None
    line = next((x for x in transfer_targets(call) if x.pk == to_line_id), None)
    if line is None:  # another firm's line, an inactive one, or none
        raise ApplicationError("Choose one of the firm's other lines.", field="to")
    return str(line.number), line


def _held(call_id: int, agent: AgentProfile) -> Call:
    call = Call.objects.select_related("line").filter(pk=call_id, agent=agent).first()
    if call is None:
        raise ApplicationError("No such call.")
    if call.status != Status.IN_PROGRESS:
        raise ConflictError("Only a call you are talking on can be transferred.")
    return call


@transaction.atomic
def _transfer_record(
    *, call_id: int, number: str, line: PhoneLine | None, actor, at: dt.datetime
) -> Call:
    """Record the transfer on the locked call and end the agent's part of it (the talk up to
    now, billed), once: a repeat, or a call that ended meanwhile, keeps what it has."""
    call = Call.objects.select_for_update(of=("self",)).select_related("line").get(pk=call_id)
    if call.transferred_at is not None:
        return call
    # Recorded first: the completion's "call ended" event then tells where the caller went.
    call.transferred_at, call.transferred_to, call.transfer_line = at, number, line
    call.save(update_fields=["transferred_at", "transferred_to", "transfer_line"])
    if call.status == Status.IN_PROGRESS:
        talked = int((at - call.answered_at).total_seconds()) if call.answered_at else 0
        call = call_completed_with(call_id=call.pk, duration=max(talked, 0), at=at)
    audit_log(
        actor=actor,
        action=AuditAction.CALL_TRANSFERRED,
        target=call,
        to=number,
        to_line=line.pk if line else None,
        escalation=line is None,
    )
    return call


def call_transfer(
    *, call_id: int, agent: AgentProfile, to_line_id: int | None = None, escalation: bool = False
) -> Call:
    """The agent holding the call sends the caller on (see the module)."""
    call = _held(call_id, agent)
    number, line = _target(call, to_line_id=to_line_id, escalation=escalation)
    if call.provider == TWILIO:
        twiml = provider.transfer_twiml(number, str(call.line.number))
        try:
            provider.twilio_call_redirect(call.provider_call_id, str(twiml))
        except provider.TwilioRefused as refused:
            raise ConflictError(f"{refused} The caller is still with you.") from refused
    return _transfer_record(
        call_id=call.pk, number=number, line=line, actor=agent.user, at=timezone.now()
    )


def call_transfer_reported(*, call_id: int, to: str, at: dt.datetime | None = None) -> Call:
    """A provider's `transfer` event: its own switch sent the caller to `to`, which must be
    one of the firm's lines or the line's escalation number."""
    call = Call.objects.select_related("line").get(pk=call_id)
    if call.transferred_at is not None:
        return call  # a repeat
    if call.status != Status.IN_PROGRESS:
        raise ConflictError("Only a call in progress can be transferred.")
    line = PhoneLine.objects.filter(firm_id=call.firm_id, number=to).exclude(pk=call.line_id)
    target = line.first()
    if target is None and str(call.line.escalation_number or "") != to:
        raise ApplicationError(
            "`to` must be one of the firm's other lines or the line's escalation number.",
            field="to",
        )
    return _transfer_record(
        call_id=call.pk, number=to, line=target, actor=None, at=at or timezone.now()
    )
