"""Customer context: what the firm tells the agent about the caller, and nothing more.

The line's source (`PhoneLine.context_source`) says where it comes from: the firm's contact
records (a caller's number finds at most one), or the firm's lookup endpoint (the protocol
is `clients.customer_context`: a signed POST, 1 s, `{"fields": {…}}` back). Only the fields
the line names (`context_fields`) are kept and shown, in that order.

- **Who sees it**: the agent holding the call only — offered to them, talking, or their
  wrap-up of it still pending (`call_context_for` raises `NotAllowed` for anyone else:
  another agent, the same agent after the wrap-up, a firm user, staff).
- **When it is fetched**: once per call (`CallContext`, one-to-one with the call), on the
  agent's first view — never inside a Twilio webhook, where a slow firm would hold the
  caller's TwiML. A lookup is bounded by `CONTEXT_LOOKUP_TIMEOUT_SECONDS`.
- **Every view is audited** (`context_viewed`, about the call, with the state shown); the
  firm's call page lists them (`context_panel`).
- **Forgotten**: at the end of the wrap-up (`context_forget`, called by the workspace), and
  by the sweep for calls that ended over `CONTEXT_FORGET_AFTER` ago and never had a wrap-up
  (lost, abandoned while offered, transferred…) — unless the line keeps it (`context_keep`).
"""

import contextlib
import datetime as dt
import json
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from clients.customer_context import fields_chosen, lookup_ask, lookup_payload
from clients.models import ContactNumber, ContextSource
from common.audit import audit_log
from common.errors import NotAllowed
from common.models import AuditAction, AuditRecord
from routing.models import Call, CallContext

logger = logging.getLogger(__name__)
State = CallContext.State
# A context outlives its call's end by at most this long when nothing forgot it earlier
# (the wrap-up's end forgets it at once; wrap-ups are minutes, never an hour).
CONTEXT_FORGET_AFTER = dt.timedelta(hours=1)
# What the agent reads when there is nothing to show (the reason for a failure is staff's).
AGENT_NOTICES = {
    State.NONE: "No context for this caller.",
    State.FAILED: "No context (the firm's system did not answer).",
}


def _contact_fields(call: Call) -> tuple[str, list[list[str]], str]:
    found = (
        ContactNumber.objects.filter(firm_id=call.firm_id, number=call.caller)
        .select_related("contact")
        .first()
    )
    if found is None:
        return State.NONE, [], ""
    contact = found.contact
    values = {"name": contact.name, **{k: str(v) for k, v in contact.fields.items()}}
    return State.FOUND, fields_chosen(values, list(call.line.context_fields)), ""


def _lookup_fields(call: Call) -> tuple[str, list[list[str]], str]:
    """Ask the firm's endpoint (signed, bounded; common.outbound never raises)."""
    line = call.line
    if not line.context_secret:
        return State.FAILED, [], "The line has no signing secret."
    payload = lookup_payload(
        line=line,
        call_id=call.pk,
        caller=str(call.caller),
        language=call.language,
        caller_city=call.origin_label,
        started_at=call.created_at,
    )
    _answer, rows, error = lookup_ask(line, payload)
    if error:
        return State.FAILED, [], error[:200]
    return (State.FOUND if rows else State.NONE), rows, ""


def _fetch(call: Call) -> CallContext:
    started = time.perf_counter()
    source = call.line.context_source
    if source == ContextSource.LOOKUP:
        state, fields, error = _lookup_fields(call)
    else:
        state, fields, error = _contact_fields(call)
    row = CallContext(
        call=call,
        state=state,
        source=source,
        fields=json.dumps(fields, ensure_ascii=False),
        error=error,
        elapsed_ms=int((time.perf_counter() - started) * 1000),
        fetched_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # a concurrent first view stored it: show that one
        row = CallContext.objects.get(call=call)
    return row


def _lookup_once(call: Call) -> CallContext:
    """The lookup of a call is sent once, even when two first views race (two tabs, a poll
    and a reload): the first takes a short lock in the cache and asks; the other waits for
    its row, a little longer than the lookup's own bound. A lock whose holder died expires,
    and then the waiter asks itself — a duplicate request to the firm, accepted over an agent
    left without context. (With a per-process cache, as in development, the lock holds within
    a process only; production shares Redis.) Contacts need no lock: the OneToOne decides."""
    bound = settings.CONTEXT_LOOKUP_TIMEOUT_SECONDS + 1.0
    key = f"context-lookup:{call.pk}"
    try:
        locked = cache.add(key, 1, timeout=int(bound) + 5)
    except Exception:  # the cache down (Redis): the agent still gets the context
        logger.warning("context lookup of call %s: no cache for the lock", call.pk)
        return _fetch(call)
    if locked:
        try:
            return CallContext.objects.filter(call=call).first() or _fetch(call)
        finally:
            with contextlib.suppress(Exception):  # expires by itself anyway
                cache.delete(key)
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        time.sleep(0.05)
        if (row := CallContext.objects.filter(call=call).first()) is not None:
            return row
    return CallContext.objects.filter(call=call).first() or _fetch(call)


def _held_by(call: Call, viewer) -> Call:
    """The call, re-read, if `viewer` is the agent holding it now (live, or its wrap-up
    still pending); NotAllowed otherwise."""
    user_id = getattr(viewer, "pk", None)
    if user_id is None:  # nobody signed in (agent__user_id=None would mean "no agent")
        raise NotAllowed("Only the agent holding the call sees its customer context.")
    held = (
        Call.objects.filter(pk=call.pk, agent__user_id=user_id)
        .filter(Q(status__in=Call.LIVE) | Q(wrap_up=Call.WrapUp.PENDING))
        .select_related("line")
        .first()
    )
    if held is None:
        raise NotAllowed("Only the agent holding the call sees its customer context.")
    return held


def call_context_for(*, call: Call, viewer) -> CallContext | None:
    """The context of `call` for the agent holding it (`viewer`, a user), fetched on the
    first view; None when the line shows none. Every call of this is one audited view.
    Anyone but the agent holding the call: NotAllowed (nothing fetched, nothing audited).
    Call it outside a transaction: a lookup is an HTTP request of up to a second, and a
    transaction held open over it would hold its locks (and hide its row from a racing view)."""
    call = _held_by(call, viewer)
    if call.line.context_source == ContextSource.NONE:
        return None
    row = CallContext.objects.filter(call=call).first()
    if row is None:
        lookup = call.line.context_source == ContextSource.LOOKUP
        row = _lookup_once(call) if lookup else _fetch(call)
    audit_log(actor=viewer, action=AuditAction.CONTEXT_VIEWED, target=call, state=row.state)
    return row


def context_rows(row: CallContext | None) -> list[list[str]]:
    return json.loads(row.fields) if row is not None and row.fields else []


def context_notice(row: CallContext | None) -> str:
    """What the agent reads instead of fields ("" when there are fields to show)."""
    if row is None:
        return ""
    return AGENT_NOTICES.get(row.state, "") if not context_rows(row) else ""


def context_forget(call: Call) -> None:
    """The wrap-up ended: the context goes, unless the line keeps it."""
    if not call.line.context_keep:
        CallContext.objects.filter(call=call).delete()


def contexts_forget_due(*, at: dt.datetime) -> int:
    """The sweep: contexts of calls ended over an hour ago, on lines that do not keep them
    (a wrap-up end that never came, or a call that had none). Returns how many went."""
    deleted, _ = CallContext.objects.filter(
        call__ended_at__lt=at - CONTEXT_FORGET_AFTER, call__line__context_keep=False
    ).delete()
    return deleted


def context_panel(*, call: Call) -> dict:
    """The firm's call page: who viewed the customer context and when (the audit records),
    and the context itself if the line keeps it (else it is gone after the call)."""
    views = (
        AuditRecord.objects.about(call)
        .filter(action=AuditAction.CONTEXT_VIEWED)
        .select_related("actor__agent_profile")
        .order_by("created_at", "pk")
    )
    viewed = [
        {"name": _agent_name(record.actor), "at": record.created_at} for record in views[:200]
    ]
    row = CallContext.objects.filter(call=call).first() if call.line.context_keep else None
    if call.line.context_source == ContextSource.NONE and not viewed and row is None:
        return {}  # nothing to tell: the line shows agents no context
    return {
        "source": call.line.get_context_source_display(),
        "viewed": viewed,
        "row": row,
        "rows": context_rows(row),
        "notice": context_notice(row),
        "kept": call.line.context_keep,
    }


def _agent_name(user) -> str:
    if user is None:
        return "—"
    profile = getattr(user, "agent_profile", None)
    return (profile.full_name if profile else "") or user.name or "An agent"
