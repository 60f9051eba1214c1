"""Which conversation a message belongs to: the rules (issue 18). `mailroom.ingest` asks
the database with them.

1. Any id in In-Reply-To or References naming a message stored for the firm joins that
   message's conversation: a reply, even with a new subject.
2. Otherwise a forward ("Fwd:", "FW:", "WG:"…) starts a conversation of its own: somebody is
   passing a new matter on, whatever the subject says.
3. Otherwise a message from the same address with the same subject once the reply and
   forward prefixes are off ("Re:", "AW:", "SV:"…), to a conversation of the same queue that
   is still open (not closed, not stopped) and had a message in the last 7 days, joins it:
   a client that drops the headers.
4. Otherwise it is a new conversation.
"""

import datetime as dt
import re

SUBJECT_WINDOW = dt.timedelta(days=7)
# A subject-matched conversation is looked for among the sender's latest few of the queue.
SUBJECT_CANDIDATES = 20
# Reply and forward prefixes as mail clients write them in our users' languages and the
# usual European ones: Re, Fwd/Fw, AW/WG (German), SV/VS (Nordic), Antw (Dutch), RV/Enc
# (Spanish, Portuguese), TR (French), Odp (Polish); "[2]" counters, full-width colons.
_PREFIX = r"(?:re|aw|sv|vs|antw|odp|fwd?|wg|tr|rv|enc|r)"
_PREFIXES = re.compile(rf"^(?:\s*{_PREFIX}\s*(?:\[\d+\]|\(\d+\))?\s*[:\uff1a]\s*)+", re.I)
_FORWARD = re.compile(r"^\s*(?:fwd?|wg|tr|rv|enc)\s*(?:\[\d+\])?\s*[:\uff1a]", re.I)
_TAG = re.compile(r"^\s*\[(?:external|ext|spam)\]\s*", re.I)


def subject_normalised(subject: str) -> str:
    """The subject without reply and forward prefixes, spacing and case: what two messages
    of one thread have in common."""
    value = subject or ""
    while True:
        stripped = _PREFIXES.sub("", _TAG.sub("", value))
        if stripped == value:
            break
        value = stripped
    return " ".join(value.split()).casefold()


def is_forward(subject: str) -> bool:
    return bool(_FORWARD.match(_TAG.sub("", subject or "")))


def thread_ids(parsed) -> list[str]:
    """The ids a message names as its ancestors, nearest first: In-Reply-To, then References
    from the newest (RFC 5322 lists them oldest first)."""
    out: list[str] = []
    for message_id in [parsed.in_reply_to, *reversed(parsed.references)]:
        if message_id and message_id not in out and message_id != parsed.message_id:
            out.append(message_id)
    return out
