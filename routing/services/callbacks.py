"""The callback queue: voicemails and "callback needed" dispositions, for the firm and the
agency to work (open -> assigned -> done, and done -> open again). Placing the call back is
the outbound campaigns'.

Who works a queue: the firm's people (admins and members), and the agency's administrators —
a complete-BPO firm's queue is the agency's to work, and they may help any firm. Every change
locks the request, re-reads it, and is audited (CALLBACK_UPDATED, the request as the object).
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from agents.models import AgentProfile
from clients.models import Engagement
from clients.services import is_firm_person
from common.audit import audit_log
from common.errors import ApplicationError, ConflictError, NotAllowed
from common.limits import field_check
from common.models import AuditAction
from routing.models import Call, CallbackRequest
from routing.signals import callback_opened

Status = CallbackRequest.Status


def callback_open(
    call: Call, *, reason: CallbackRequest.Reason, agent_id: int | None = None, due_at=None
) -> CallbackRequest:
    """Open the call's callback request (once: a call has at most one). Campaigns schedule
    the call back (`callback_opened`), to `agent_id` where possible, at `due_at` if given."""
    found, created = CallbackRequest.objects.get_or_create(
        call=call, defaults={"firm_id": call.firm_id, "line_id": call.line_id, "reason": reason}
    )
    if created:
        callback_opened.send(
            sender=CallbackRequest, callback=found, agent_id=agent_id, due_at=due_at
        )
    return found


def may_work(*, user: User, firm_id: int) -> bool:
    """The firm's people, or an agency administrator."""
    return (user.is_active and user.has_role(User.Role.ADMIN)) or is_firm_person(
        user=user, firm_id=firm_id
    )


def _locked(callback_id: int, actor: User) -> CallbackRequest:
    # Lock, then re-read: two people working the queue decide on the row as it is now.
    callback = CallbackRequest.objects.select_for_update().filter(pk=callback_id).first()
    if callback is None or not may_work(user=actor, firm_id=callback.firm_id):
        raise NotAllowed("You cannot work this callback request.")
    return callback


def _save(callback: CallbackRequest, actor: User, before: dict, **detail) -> CallbackRequest:
    callback.updated_by = actor
    callback.save()
    audit_log(
        actor=actor,
        action=AuditAction.CALLBACK_UPDATED,
        target=callback,
        before=before,
        after=_snapshot(callback),
        **detail,
    )
    return callback


def _snapshot(callback: CallbackRequest) -> dict:
    return {
        "status": callback.status,
        "agent": callback.assigned_agent_id,
        "note": callback.note,
    }


@transaction.atomic
def callback_assign(*, callback_id: int, actor: User, agent_id: int) -> CallbackRequest:
    """Give an open (or assigned) request to an agent actively engaged on its line."""
    callback = _locked(callback_id, actor)
    if callback.status == Status.DONE:
        raise ConflictError("This callback is done; reopen it first.")
    engaged = Engagement.objects.filter(
        firm_id=callback.firm_id, status=Engagement.Status.ACTIVE, lines=callback.line_id
    )
    agent = AgentProfile.objects.filter(pk=agent_id, pk__in=engaged.values("agent_id")).first()
    if agent is None:
        raise ApplicationError("Choose an agent engaged on this line.", field="agent")
    before = _snapshot(callback)
    callback.status, callback.assigned_agent = Status.ASSIGNED, agent
    return _save(callback, actor, before)


@transaction.atomic
def callback_done(*, callback_id: int, actor: User, note: str = "") -> CallbackRequest:
    callback = _locked(callback_id, actor)
    if callback.status == Status.DONE:
        raise ConflictError("This callback is already done.")
    note = " ".join(note.split())
    field_check(CallbackRequest, "note", note)
    before = _snapshot(callback)
    callback.status, callback.done_at = Status.DONE, timezone.now()
    if note:
        callback.note = note
    return _save(callback, actor, before)


@transaction.atomic
def callback_reopen(*, callback_id: int, actor: User) -> CallbackRequest:
    """A done request back in the queue, open (its agent cleared: choose again); the note stays."""
    callback = _locked(callback_id, actor)
    if callback.status != Status.DONE:
        raise ConflictError("Only a done callback can be reopened.")
    before = _snapshot(callback)
    callback.status, callback.assigned_agent, callback.done_at = Status.OPEN, None, None
    return _save(callback, actor, before)
