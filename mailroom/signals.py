"""Signals mailroom sends to the apps above it (billing).

`conversation_handled(conversation=…)` is sent inside the transaction that stores a
conversation's first reply; `campaign_email_sent(email=…)` inside the one that marks a
campaign email sent. The ledger row each is due commits with that fact or not at all.
"""

from django.dispatch import Signal

conversation_handled = Signal()
campaign_email_sent = Signal()
