"""Signals the agents app sends; apps above it (routing) listen, so agents imports none of them."""

from django.dispatch import Signal

# An agent went available by their own switch (sent once that has committed): `agent_id`.
agent_available = Signal()

# An agent went offline (their own switch, or three missed calls), sent once that has
# committed: `agent_id`. Mailroom gives their unanswered conversations to someone else.
agent_offline = Signal()
