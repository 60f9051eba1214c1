"""Conversations built directly (the ingest is another piece of work): what the firm's, the
staff's pages and the API read."""

import datetime as dt

from django.utils import timezone

from mailroom.models import Address, Attachment, Conversation, Message, Queue

_count = iter(range(1, 10**6))


def conversation_make(
    queue: Queue,
    *,
    subject: str = "Claim for my hospital bill",
    text: str = "When will my claim be paid?",
    html: str = "",
    status: str = Conversation.Status.WAITING,
    agent=None,
    age: dt.timedelta = dt.timedelta(minutes=10),
    breached: bool = False,
    language: str = "en",
    customer_email: str = "asha.menon@example.net",
) -> Conversation:
    now = timezone.now()
    opened = now - age
    address = queue.addresses.first() or Address.objects.create(
        queue=queue, email=f"q{queue.pk}-{next(_count)}@firm.example"
    )
    conversation = Conversation.objects.create(
        firm=queue.firm,
        queue=queue,
        address=address,
        subject=subject,
        customer_name="Asha Menon",
        customer_email=customer_email,
        language=language,
        status=status,
        agent=agent,
        assigned_at=now if agent else None,
        first_response_due_at=opened + dt.timedelta(minutes=queue.first_response_minutes),
        breached_at=now if breached else None,
        last_message_at=opened,
    )
    Conversation.objects.filter(pk=conversation.pk).update(created_at=opened)
    conversation.refresh_from_db()
    message_make(conversation, text=text, html=html, at=opened)
    return conversation


def message_make(conversation, *, text: str, html: str = "", at=None, attachments=()) -> Message:
    message = Message.objects.create(
        conversation=conversation,
        firm=conversation.firm,
        direction=Message.Direction.IN,
        source=Message.Source.WEBHOOK,
        message_id=f"m{next(_count)}@example.net",
        from_name=conversation.customer_name,
        from_email=conversation.customer_email,
        to_email=conversation.address.email,
        subject=conversation.subject,
        text=text,
        full_text=text + "\n\n> quoted history",
        html=html,
        received_at=at or timezone.now(),
    )
    for name in attachments:
        Attachment.objects.create(message=message, filename=name, size=10)
    return message
