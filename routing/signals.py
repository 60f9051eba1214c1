"""Signals routing sends for the apps above it (billing), so routing never imports them."""

from django.dispatch import Signal

# Sent when an answered call ends, inside the transaction that completes it (a receiver
# writes in that transaction: billing's ledger row commits with the call or not at all);
# kwargs: call (routing.models.Call).
call_completed = Signal()
