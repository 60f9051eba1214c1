from django.dispatch import receiver

from billing.ledger import transaction_record
from routing.signals import call_completed


@receiver(call_completed)
def record_transaction(sender, call, **kwargs) -> None:
    """An answered call ended: exactly one ledger transaction (idempotent on the call)."""
    transaction_record(call=call)
