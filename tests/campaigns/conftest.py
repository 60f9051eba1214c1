"""Fixtures shared by the campaigns tests.

Outbound telephony's (helper "telephony"): a local fake of Twilio's REST API, the do-not-call
list's `suppression_add` until the imports land, acme's outbound line and Meera, who dials.
"""

from tests.campaigns.telephony import (  # noqa: F401  (fixtures)
    fake_twilio,
    meera,
    outbound_line,
    suppression,
)
