"""Conversations built directly (what ingest stores), for the assignment and reply tests."""

import datetime as dt
from email.utils import make_msgid

from django.utils import timezone

from mailroom.models import Conversation, Message


def conversation_waiting(queue, *, language="en", subject="Claim for my hospital bill", **fields):
    now = timezone.now()
    address = queue.addresses.first()
    conv = Conversation.objects.create(
        firm=queue.firm,
        queue=queue,
        address=address,
        subject=subject,
        customer_name=fields.pop("customer_name", "Asha Menon"),
        customer_email=fields.pop("customer_email", "asha.menon@example.net"),
        language=language,
        last_message_at=now,
        first_response_due_at=fields.pop("due", now + dt.timedelta(hours=4)),
        **fields,
    )
    Message.objects.create(
        conversation=conv,
        firm=queue.firm,
        direction=Message.Direction.IN,
        source=Message.Source.WEBHOOK,
        message_id=make_msgid(domain="example.net").strip("<>"),
        from_name=conv.customer_name,
        from_email=conv.customer_email,
        to_email=address.email,
        subject=subject,
        text="Hello, I sent my claim papers last week. When will it be paid?",
        received_at=now,
    )
    return conv
