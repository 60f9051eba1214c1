"""Business minutes of a line (issue 18: the queue's first-response target)."""

import datetime as dt
from zoneinfo import ZoneInfo

# A line open on no day at all would never reach a due time: give up after two weeks of
# days and count in plain minutes (a PhoneLine always has at least one day in practice).
DAYS_LOOKED = 14


def business_due(line, start: dt.datetime, minutes: int) -> dt.datetime:
    """When `minutes` of the line's business hours (its days, opening and closing times, in
    its time zone) have passed since `start`.

    A message that arrives after hours (or on a closed day) starts counting at the next
    opening; minutes left at a closing carry over to the next business day's opening. Hours
    never cross midnight (clients_line_hours_order), so each business day is one interval.
    Each day's opening and closing are read as wall-clock times of that day in the zone
    (a daylight-saving change shifts them as the line's clocks shift).
    """
    zone = ZoneInfo(line.time_zone)
    days = {int(d) for d in line.business_days if d.isdigit()}
    left = dt.timedelta(minutes=minutes)
    # Arithmetic in UTC: aware datetimes sharing one tzinfo subtract as wall-clock times.
    now = start.astimezone(dt.UTC)
    day = start.astimezone(zone).date()
    for _ in range(DAYS_LOOKED + minutes // 60 + 1):
        if day.weekday() in days:
            opens = dt.datetime.combine(day, line.opens_at, tzinfo=zone).astimezone(dt.UTC)
            closes = dt.datetime.combine(day, line.closes_at, tzinfo=zone).astimezone(dt.UTC)
            begin = max(opens, now)
            if begin < closes:
                if begin + left <= closes:
                    return begin + left
                left -= closes - begin
        day += dt.timedelta(days=1)
    return start + dt.timedelta(minutes=minutes)
