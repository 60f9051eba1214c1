"""Signals campaigns send to the apps above them (billing).

`attempt_ended(attempt=…)` is sent inside the transaction that ends a placed attempt (any
outcome): the ledger row it is due commits with the attempt's end or not at all.
"""

from django.dispatch import Signal

attempt_ended = Signal()
