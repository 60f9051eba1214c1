"""Customer context: what the firm tells the agent about the caller, and nothing more.

The line's source (`PhoneLine.context_source`) says where it comes from: the firm's contact
records (a caller's number finds at most one), or the firm's lookup endpoint. Only the fields
the line names (`context_fields`) are kept and shown, in that order. Fetched once per call
(`CallContext`), shown to the agent holding the call only, every showing audited
(`context_viewed`), deleted when the agent's wrap-up ends unless the line keeps it.
"""

import json

from django.db import IntegrityError, transaction
from django.utils import timezone

from clients.models import ContactNumber, ContextSource
from common.audit import audit_log
from common.models import AuditAction
from routing.models import Call, CallContext


def _contact_fields(call: Call) -> tuple[str, list[list[str]]]:
    found = (
        ContactNumber.objects.filter(firm_id=call.firm_id, number=call.caller)
        .select_related("contact")
        .first()
    )
    if found is None:
        return CallContext.State.NONE, []
    contact = found.contact
    values = {"name": contact.name, **{k: str(v) for k, v in contact.fields.items()}}
    return CallContext.State.FOUND, _chosen(call, values)


def _chosen(call: Call, values: dict) -> list[list[str]]:
    """The line's chosen fields, in its order, that the source gave (as text)."""
    return [[name, str(values[name])] for name in call.line.context_fields if name in values]


def _fetch(call: Call) -> CallContext:
    source = call.line.context_source
    state, fields = _contact_fields(call)
    row = CallContext(
        call=call,
        state=state,
        source=source,
        fields=json.dumps(fields, ensure_ascii=False),
        fetched_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # a concurrent first view stored it: show that one
        row = CallContext.objects.get(call=call)
    return row


def call_context_for(*, call: Call, viewer) -> CallContext | None:
    """The context of `call` for the agent holding it (`viewer`, a user), fetched on the
    first view; None when the line shows none. Every call of this is one audited view."""
    if call.line.context_source == ContextSource.NONE:
        return None
    row = CallContext.objects.filter(call=call).first() or _fetch(call)
    audit_log(actor=viewer, action=AuditAction.CONTEXT_VIEWED, target=call, state=row.state)
    return row


def context_rows(row: CallContext | None) -> list[list[str]]:
    return json.loads(row.fields) if row is not None and row.fields else []


def context_forget(call: Call) -> None:
    """The wrap-up ended: the context goes, unless the line keeps it."""
    if not call.line.context_keep:
        CallContext.objects.filter(call=call).delete()
