"""The agency's bridge: how a firm's own PBX reaches an agent without learning the number.

An agent's personal phone number reaches only the agency's telephony: Twilio (the agency's
account, answered with TwiML `<Dial>`) and the providers holding an agency key
(`ROUTING_PROVIDER_KEYS`). A firm's own key on the call API is told to dial the agency's
bridge number (`ROUTING_BRIDGE_NUMBER`, a Twilio number of the agency) and, once it answers,
to send `bridge_code` as DTMF digits ending in `#`. The bridge webhook
(`/telephony/twilio/bridge/`) checks the code and `<Dial>`s the agent from the agency's
account, showing the line's number: the firm's PBX carries the audio, never the number.

The code needs no table: `<call id>*<attempt>*<8 digits of an HMAC>` keyed by SECRET_KEY, so
a firm cannot forge one for another call (or an earlier offer of its own). It is good once
(a cache entry claims it, `cache.add` being atomic) and only while that offer still rings.
"""

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache

from routing.models import Call

MAC_DIGITS = 8
CLAIM_SECONDS = 10 * 60  # longer than any ring timeout (120 s) plus the reservation margin


def _mac(call_id: int, attempt: int) -> str:
    message = f"routing-bridge:{call_id}:{attempt}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return str(int.from_bytes(digest[:8], "big") % 10**MAC_DIGITS).zfill(MAC_DIGITS)


def bridge_code_for(call: Call) -> str:
    """The DTMF digits that connect the bridge to this call's current offer."""
    return f"{call.pk}*{call.attempts}*{_mac(call.pk, call.attempts)}"


def bridge_claim(*, code: str) -> Call | None:
    """The offered call `code` names, claimed once; None for a wrong, stale or used code."""
    parts = code.strip().rstrip("#").split("*")
    # ASCII digits only: str.isdecimal() also takes other scripts' digits, which int() reads
    # and hmac.compare_digest refuses (TypeError, a 500 on a voice webhook).
    if len(parts) != 3 or not all(p.isascii() and p.isdecimal() and len(p) <= 18 for p in parts):
        return None
    call_id, attempt, mac = int(parts[0]), int(parts[1]), parts[2]
    if not hmac.compare_digest(mac, _mac(call_id, attempt)):
        return None
    call = Call.objects.select_related("agent", "line").filter(pk=call_id).first()
    if call is None or call.status != Call.Status.OFFERED or call.attempts != attempt:
        return None  # answered, moved on to another agent, or over
    if not cache.add(f"routing:bridge:{call_id}:{attempt}", 1, timeout=CLAIM_SECONDS):
        return None  # used already: one bridge leg per offer
    return call
