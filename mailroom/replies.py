"""An agent's reply to a conversation (issue 18), and closing it.

Only the conversation's assigned agent replies or closes: the service checks it on the
locked row (another agent's conversation is a 404, as if it did not exist). The reply is a
`Message` of direction "out", queued; it leaves after commit (mailroom.outbox). The first
reply makes the conversation handled: first_response_at, handled_at/by/engagement, and
`conversation_handled` sent inside this transaction, so billing's ledger row commits with
the reply or not at all.
"""

import re
from email.utils import make_msgid

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from common.errors import ApplicationError, ConflictError, require_role
from mailroom import outbox
from mailroom.models import Conversation, Event, Message, Template
from mailroom.signals import conversation_handled

Status = Conversation.Status
REPLYABLE = [Status.ASSIGNED, Status.ANSWERED]
BODY_MAX = 50_000
PLACEHOLDER = re.compile(r"\{(customer_name|agent_name|firm_name)\}")
RE_PREFIX = re.compile(r"^\s*((re|aw|sv)\s*:\s*)+", re.IGNORECASE)


def template_render(*, template: Template, conversation: Conversation, agent_name: str) -> str:
    """The template's text with {customer_name}, {agent_name} and {firm_name} filled in; any
    other brace is left as written (a firm's text is not a format string)."""
    values = {
        "customer_name": conversation.customer_name or "customer",
        "agent_name": agent_name,
        "firm_name": conversation.firm.name,
    }
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], template.body)


def reply_subject(subject: str) -> str:
    """ "Re: " once: a consumer's "Re: Re: claim" is answered as "Re: claim"."""
    bare = RE_PREFIX.sub("", subject or "").strip()
    return f"Re: {bare}" if bare else "Re: your message"


def _mine(conversation_id: int, user: User) -> Conversation:
    """The conversation, locked, when `user` is its assigned agent; else 404."""
    require_role(user, User.Role.AGENT)
    conv = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("firm", "queue", "address", "agent")
        .filter(pk=conversation_id, agent__user=user)
        .first()
    )
    if conv is None:
        raise Http404("No such conversation.")
    return conv


@transaction.atomic
def reply_send(
    *, actor_user: User, conversation: Conversation, body: str, template=None
) -> Message:
    conv = _mine(conversation.pk, actor_user)
    if conv.status not in REPLYABLE:
        raise ConflictError("This conversation is closed: it takes no reply.")
    if template is not None and template.firm_id != conv.firm_id:
        raise Http404("No such template.")  # another firm's: as if it did not exist
    body = (body or "").strip()
    if template is not None and not body:
        body = template_render(
            template=template, conversation=conv, agent_name=conv.agent.full_name
        ).strip()
    if not body:
        raise ApplicationError("Write a reply first.", field="body")
    if len(body) > BODY_MAX:
        raise ApplicationError(f"A reply is at most {BODY_MAX} characters.", field="body")
    now = timezone.now()
    inbound = list(
        conv.messages.filter(direction=Message.Direction.IN).order_by("received_at", "pk")
    )
    latest = inbound[-1] if inbound else None
    chain = (latest.references.split() if latest and latest.references else []) + (
        [latest.message_id] if latest else []
    )
    domain = conv.address.email.partition("@")[2] or "homeshore.example"
    reply = Message.objects.create(
        conversation=conv,
        firm=conv.firm,
        direction=Message.Direction.OUT,
        source=Message.Source.AGENT,
        message_id=make_msgid(domain=domain).strip("<>"),
        in_reply_to=latest.message_id if latest else "",
        references=" ".join(dict.fromkeys(chain)),
        from_name=conv.queue.display_name or conv.firm.name,
        from_email=conv.address.email,
        to_email=conv.customer_email,
        subject=reply_subject(latest.subject if latest else conv.subject)[:255],
        text=body,
        full_text=body,
        author=conv.agent,
        send_status=Message.Send.QUEUED,
        received_at=now,
    )
    first = conv.first_response_at is None
    conv.status, conv.last_message_at = Status.ANSWERED, now
    fields = ["status", "last_message_at"]
    if first:
        conv.first_response_at = conv.handled_at = now
        conv.handled_by, conv.handled_engagement = conv.agent, conv.engagement
        fields += ["first_response_at", "handled_at", "handled_by", "handled_engagement"]
    conv.save(update_fields=fields)
    if first:
        # Inside this transaction: billing's row commits with the reply or not at all.
        conversation_handled.send(sender=Conversation, conversation=conv)
    outbox.message_send_after_commit(message_id=reply.pk)
    return reply


@transaction.atomic
def conversation_close(*, actor_user: User, conversation: Conversation) -> Conversation:
    conv = _mine(conversation.pk, actor_user)
    if conv.status == Status.CLOSED:
        return conv
    conv.status, conv.closed_at = Status.CLOSED, timezone.now()
    conv.save(update_fields=["status", "closed_at"])
    Event.objects.create(
        conversation=conv, kind=Event.Kind.CLOSED, agent=conv.agent, actor=actor_user
    )
    return conv
