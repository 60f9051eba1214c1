"""One rule for showing periods: inclusive, in the en_IN locale through Babel's CLDR intervals.

Periods are stored half-open (start, exclusive end) because that is how they are computed and
queried; people read them inclusive: a week that starts on 23 Nov and ends before 30 Nov is
"23–29 Nov 2026", a month is "1–30 Nov 2026", one across a year "28 Dec 2026 – 3 Jan 2027" (thin
spaces round the dash, as CLDR writes it).
"""

import datetime as dt

from django.utils import timezone

DATE_LOCALE = "en_IN"


def period_label(start: dt.date, end: dt.date, *, end_exclusive: bool = True) -> str:
    """The period [start, end) — or [start, end] with end_exclusive=False — as people read it."""
    from babel.dates import format_interval

    last = end - dt.timedelta(days=1) if end_exclusive else end
    if last < start:  # an empty period still reads as its first day
        last = start
    return format_interval(start, last, "yMMMd", locale=DATE_LOCALE)


def day_label(day: dt.date) -> str:
    """One day as periods read it: '1 Dec 2026'."""
    return period_label(day, day, end_exclusive=False)


def local_midnight(day: dt.date) -> dt.datetime:
    """The moment the portal's local day (TIME_ZONE) `day` begins: the start of a filter by
    day, and — for the next day — its exclusive end."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))
