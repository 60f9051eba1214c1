"""Mail loops (issue 18): an auto-responder answering our replies, two robots writing to each
other, a sender's script gone wrong. The rules; `mailroom.ingest` counts and applies them.

An automatic message (RFC 3834 Auto-Submitted, X-Autoreply, Precedence: bulk…, a bounce) is
stored but never routed and never counts as the consumer writing. A conversation is stopped
(status STOPPED, an Event LOOP_STOPPED) when more than BURST_MESSAGES messages from one
sender reach it within BURST_WINDOW, or its last AUTOMATIC_IN_ROW inbound messages are all
automatic. What reaches a stopped conversation is stored and ignored. We never auto-reply,
so nothing of ours can feed a loop.
"""

import datetime as dt

BURST_MESSAGES = 5
BURST_WINDOW = dt.timedelta(minutes=10)
AUTOMATIC_IN_ROW = 3


def loop_reason(*, sender_recent: int, automatic_run: int) -> str:
    """Why the conversation is stopped, or "" when it is not: `sender_recent` counts the
    sender's inbound messages to it within BURST_WINDOW, this one included; `automatic_run`
    the automatic ones at the end of its inbound messages, this one included."""
    if sender_recent > BURST_MESSAGES:
        minutes = int(BURST_WINDOW.total_seconds() // 60)
        return f"{sender_recent} messages from one sender within {minutes} minutes."
    if automatic_run >= AUTOMATIC_IN_ROW:
        return f"{automatic_run} automatic messages in a row."
    return ""
