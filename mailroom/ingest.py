"""Storing an inbound message in its conversation (issue 18): one entry for the provider's
webhook (mailroom.receivers) and the IMAP poll (mailroom.imap).

`message_ingest` parses the raw bytes once, finds the address it came to, stores the message
(once: a second delivery of the same Message-ID returns the stored one), threads it
(mailroom.threads), checks its attachments (mailroom.attachments) and loops (mailroom.loops),
marks failed SPF/DKIM, and after the write offers a waiting conversation to an agent
(mailroom.assignment.conversation_route). Addresses and bodies are never logged.
"""

import logging
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from clients.models import Contact
from mailroom import assignment, attachments, eligibility, hours, language, loops, threads
from mailroom.models import Address, Attachment, Conversation, Event, Message
from mailroom.parsing import (
    AUTH_FAIL,
    MessageRefused,
    html_sanitise,
    parse,
    reply_trim,
    verdict,
)

logger = logging.getLogger(__name__)

OPEN_STATUSES = (
    Conversation.Status.WAITING,
    Conversation.Status.ASSIGNED,
    Conversation.Status.ANSWERED,
)


class UnknownRecipient(MessageRefused):
    """The message is for no active address of ours."""


def message_ingest(
    *,
    raw: bytes,
    source: str,
    recipient: str | None = None,
    mailbox=None,
    imap_uid: int | None = None,
    spf: str | None = None,
    dkim: str | None = None,
) -> Message | None:
    """Store one inbound message; the stored Message (the one stored before, for a second
    delivery), or None for mail from one of our own addresses (our reply come back: never
    stored, or it would thread into a loop). MessageRefused for one we do not take."""
    parsed = parse(raw)
    address = _address_find(parsed, recipient=recipient, mailbox=mailbox)
    queue = address.queue
    firm = queue.firm
    if Address.objects.filter(email=parsed.from_email).exists():
        logger.warning("mailroom: ignored a message from one of our own addresses")
        return None
    stored = Message.objects.filter(firm=firm, message_id=parsed.message_id).first()
    if stored is not None:
        return stored
    try:
        # A savepoint: two deliveries racing past the check above meet at the constraint
        # (firm, message_id); the loser's rows go and the winner's message is returned.
        with transaction.atomic():
            message, route = _store(
                parsed,
                address=address,
                source=source,
                mailbox=mailbox,
                imap_uid=imap_uid,
                spf=_verdict_or(spf, parsed.spf),
                dkim=_verdict_or(dkim, parsed.dkim),
            )
    except IntegrityError:
        stored = Message.objects.filter(firm=firm, message_id=parsed.message_id).first()
        if stored is None:
            raise
        return stored
    if route:
        assignment.conversation_route(message.conversation)
    return message


def _verdict_or(given: str | None, parsed: str) -> str:
    return verdict([given]) if given else parsed


def _address_find(parsed, *, recipient, mailbox) -> Address:
    """The address it came to: the envelope's recipient, the mailbox's address, then the
    Delivered-To / X-Original-To and To headers."""
    candidates = [recipient.strip().lower()] if recipient else []
    if mailbox is not None:
        candidates.append(mailbox.address.email)
    candidates += [parsed.delivered_to, *parsed.to]
    found = {
        a.email: a
        for a in Address.objects.select_related("queue__firm", "queue__line").filter(
            email__in=[c for c in candidates if c], is_active=True, queue__is_active=True
        )
    }
    for candidate in candidates:
        if candidate in found:
            return found[candidate]
    logger.warning("mailroom: refused a message for no address of ours (%d bytes)", parsed.size)
    raise UnknownRecipient("The message is for no address of ours.")


def _store(parsed, *, address, source, mailbox, imap_uid, spf, dkim) -> tuple[Message, bool]:
    """Write the message and what it changes; (message, whether to route its conversation)."""
    queue, now = address.queue, timezone.now()
    line_languages = list(queue.line.languages.values_list("language", flat=True))
    text = reply_trim(parsed.text, line_languages)
    conversation = _conversation_find(parsed, queue=queue, at=now)
    created = conversation is None
    if created:
        conversation = _conversation_open(
            parsed, address=address, text=text, line_languages=line_languages, at=now
        )
        conversation_status_before = ""
    else:
        conversation_status_before = conversation.status
    message = Message.objects.create(
        conversation=conversation,
        firm=queue.firm,
        direction=Message.Direction.IN,
        source=source,
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=" ".join(parsed.references)[:10_000],
        from_name=parsed.from_name,
        from_email=parsed.from_email[:254],
        to_email=address.email,
        subject=parsed.subject[:255],
        text=text,
        full_text=parsed.text,
        html=html_sanitise(parsed.html),
        size=parsed.size,
        spf=spf,
        dkim=dkim,
        automatic=parsed.automatic,
        language=language.language_detect(text) if not created else conversation.language,
        mailbox=mailbox,
        imap_uid=imap_uid,
        received_at=now,
    )
    _attachments_store(message, parsed.attachments)
    if AUTH_FAIL in (spf, dkim) and not conversation.suspicious:
        conversation.suspicious = True
        conversation.save(update_fields=["suspicious"])
        failed = " and ".join(name for name, v in (("SPF", spf), ("DKIM", dkim)) if v == AUTH_FAIL)
        Event.objects.create(
            conversation=conversation, kind=Event.Kind.SUSPICIOUS, detail=f"{failed} failed."
        )
    if created:
        return message, conversation.status == Conversation.Status.WAITING
    return message, _conversation_continue(conversation, message, conversation_status_before)


def _conversation_find(parsed, *, queue, at) -> Conversation | None:
    """The conversation the message joins (mailroom.threads' rules), locked; None: new."""
    ids = threads.thread_ids(parsed)
    if ids:
        ancestor = (
            Message.objects.filter(firm=queue.firm, message_id__in=ids)
            .order_by("-received_at", "-id")
            .values_list("conversation_id", flat=True)
            .first()
        )
        if ancestor is not None:
            return Conversation.objects.select_for_update().get(pk=ancestor)
    if threads.is_forward(parsed.subject):
        return None
    subject = threads.subject_normalised(parsed.subject)
    if not subject:
        return None
    candidates = (
        Conversation.objects.filter(
            queue=queue,
            customer_email=parsed.from_email,
            status__in=OPEN_STATUSES,
            last_message_at__gte=at - threads.SUBJECT_WINDOW,
        )
        .order_by("-last_message_at", "-id")
        .values_list("pk", "subject")[: threads.SUBJECT_CANDIDATES]
    )
    for pk, candidate_subject in candidates:
        if threads.subject_normalised(candidate_subject) == subject:
            return Conversation.objects.select_for_update().get(pk=pk)
    return None


def _conversation_open(parsed, *, address, text, line_languages, at) -> Conversation:
    queue = address.queue
    code, source = language.language_choose(
        queue_language=queue.language,
        line_languages=line_languages,
        text=f"{parsed.subject}\n{text}",
    )
    conversation = Conversation(
        firm=queue.firm,
        queue=queue,
        address=address,
        subject=parsed.subject[:255],
        customer_name=parsed.from_name[:150],
        customer_email=parsed.from_email[:254],
        contact=Contact.objects.filter(firm=queue.firm, email=parsed.from_email)
        .order_by("id")
        .first(),
        language=code,
        language_source=source,
        last_message_at=at,
    )
    if parsed.automatic:
        # Nobody wrote: an auto-reply or a bounce to mail we did not thread it to. Kept for
        # the firm to see, never offered to an agent nor timed.
        conversation.status = Conversation.Status.CLOSED
        conversation.closed_at = at
        conversation.save()
        Event.objects.create(
            conversation=conversation,
            kind=Event.Kind.CLOSED,
            detail="An automatic message (an auto-reply or a bounce): nobody to answer.",
        )
        return conversation
    conversation.first_response_due_at = hours.business_due(
        queue.line, at, queue.first_response_minutes
    )
    conversation.save()
    return conversation


def _conversation_continue(conversation, message, before: str) -> bool:
    """A message joined an existing conversation (locked): the loop rules, then what the
    consumer writing again changes. Whether to route it."""
    Status = Conversation.Status
    if before == Status.STOPPED:
        return False  # stored and ignored
    reason = _loop_reason(conversation, message)
    if reason:
        conversation.status = Status.STOPPED
        conversation.save(update_fields=["status"])
        Event.objects.create(conversation=conversation, kind=Event.Kind.LOOP_STOPPED, detail=reason)
        logger.warning("mailroom: stopped a mail loop on conversation %s", conversation.pk)
        return False
    if message.automatic:
        return False  # never counts as the consumer writing
    conversation.last_message_at = message.received_at
    fields = ["last_message_at"]
    if before in (Status.ANSWERED, Status.CLOSED):
        _reopen(conversation, at=message.received_at)
        fields += ["status", "agent", "engagement", "assigned_at", "closed_at"]
        fields += ["first_response_due_at", "breached_at"]
    conversation.save(update_fields=fields)
    return conversation.status == Status.WAITING


def _loop_reason(conversation, message) -> str:
    inbound = Message.objects.filter(conversation=conversation, direction=Message.Direction.IN)
    sender_recent = inbound.filter(
        from_email=message.from_email, received_at__gte=message.received_at - loops.BURST_WINDOW
    ).count()
    latest = inbound.order_by("-received_at", "-id").values_list("automatic", flat=True)
    run = 0
    for automatic in latest[: loops.AUTOMATIC_IN_ROW]:
        if not automatic:
            break
        run += 1
    return loops.loop_reason(sender_recent=sender_recent, automatic_run=run)


def _reopen(conversation, *, at) -> None:
    """The consumer wrote to an answered (or closed) conversation: back to its agent if they
    may still take it, else waiting for another; a new first-response due time."""
    queue = conversation.queue
    agent = conversation.agent
    keeps = agent is not None and eligibility.agent_may_keep(conversation=conversation, at=at)
    engagement = conversation.engagement if keeps else None
    if engagement is not None:
        conversation.status = Conversation.Status.ASSIGNED
        conversation.engagement = engagement
        conversation.assigned_at = at
    else:
        conversation.status = Conversation.Status.WAITING
        conversation.agent = None
        conversation.engagement = None
        conversation.assigned_at = None
    conversation.closed_at = None
    conversation.breached_at = None
    conversation.first_response_due_at = hours.business_due(
        queue.line, at, queue.first_response_minutes
    )
    Event.objects.create(
        conversation=conversation,
        kind=Event.Kind.REOPENED,
        agent=agent if engagement is not None else None,
        detail="The customer wrote again.",
    )


def _attachments_store(message: Message, parsed_attachments) -> None:
    """Each attachment checked by content and size before anything is kept: stored
    privately, or a row with the reason and an Event on the conversation (no bounce)."""
    limit = settings.MAILROOM_ATTACHMENT_MAX_BYTES
    for n, part in enumerate(parsed_attachments):
        if n >= attachments.MAX_ATTACHMENTS:
            checked = attachments.Verdict(
                attachments.filename_clean(part.filename), "", "", "too many attachments"
            )
        else:
            checked = attachments.attachment_check(
                part.filename, part.content_type, part.payload, max_bytes=limit
            )
        row = Attachment(
            message=message,
            filename=checked.filename,
            content_type=checked.content_type,
            size=len(part.payload),
            refused_reason=checked.refused_reason[:255],
        )
        if checked.refused_reason:
            row.save()
            Event.objects.create(
                conversation=message.conversation,
                kind=Event.Kind.ATTACHMENT_REFUSED,
                detail=f"{checked.filename[:200]}: {checked.refused_reason}"[:500],
            )
            continue
        # Stored under a name of ours with the sniffed extension, never the sender's name.
        row.file.save(f"{uuid.uuid4().hex}.{checked.extension}", ContentFile(part.payload))
