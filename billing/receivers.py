from django.dispatch import receiver

from billing.ledger import transaction_record, transaction_record_attempt
from campaigns.signals import attempt_ended
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
