"""Template filters for the two display rules (money, periods), loaded as builtins.

{{ payout.net|money:payout.currency }}       -> ₹1,50,000.00
{{ run.period_start|period:run.period_end }} -> 23–29 Nov 2026 (end exclusive)
{{ e.starts_on|through:e.ends_on }}         -> 1 Dec 2026 – 31 Mar 2027 (both days included)
"""

import datetime as dt
from decimal import Decimal

from django import template

from common.dates import period_label
from common.money import format_money

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str = "INR") -> str:
    return format_money(amount, currency or "INR")


@register.filter
def period(start: dt.date | None, end: dt.date | None) -> str:
    if start is None or end is None:
        return "—"
    return period_label(start, end)


@register.filter
def through(start: dt.date | None, end: dt.date | None) -> str:
    """Dates stored inclusive (an engagement's, a request's), read the same way as periods."""
    if start is None or end is None:
        return "—"
    return period_label(start, end, end_exclusive=False)
