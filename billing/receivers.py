from django.dispatch import receiver

from billing.ledger import (
    transaction_record,
    transaction_record_attempt,
    transaction_record_campaign_email,
    transaction_record_conversation,
)
from campaigns.signals import attempt_ended
from mailroom.signals import campaign_email_sent, conversation_handled
from routing.signals import call_completed


@receiver(call_completed)
def record_transaction(sender, call, **kwargs) -> None:
    """An answered call ended: exactly one ledger transaction (idempotent on the call).
    Outbound calls are left to their attempt (below)."""
    transaction_record(call=call)


@receiver(attempt_ended)
def record_attempt_transaction(sender, attempt, **kwargs) -> None:
    """A placed outbound attempt ended (any outcome): its one ledger transaction, if its
    engagement's outbound rates bill it (idempotent on the attempt's call)."""
    transaction_record_attempt(attempt=attempt)


@receiver(conversation_handled)
def record_conversation_transaction(sender, conversation, **kwargs) -> None:
    """A conversation's first reply was stored: its one ledger transaction, written inside
    the reply's transaction (it commits with the reply or not at all; idempotent)."""
    transaction_record_conversation(conversation=conversation)


@receiver(campaign_email_sent)
def record_campaign_email_transaction(sender, email, **kwargs) -> None:
    """A campaign email was marked sent: its one ledger transaction, inside that same
    transaction (idempotent on the email)."""
    transaction_record_campaign_email(email=email)
