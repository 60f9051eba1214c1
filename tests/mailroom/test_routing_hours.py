"""The first-response target counts the line's business minutes, in its own time zone."""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from mailroom.hours import business_due

IST = ZoneInfo("Asia/Kolkata")


def line(days="01234", opens=dt.time(9), closes=dt.time(18), zone="Asia/Kolkata"):
    return SimpleNamespace(business_days=days, opens_at=opens, closes_at=closes, time_zone=zone)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """December 2026: the 7th is a Monday."""
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=IST)


def test_a_message_in_hours_is_due_that_many_minutes_later():
    assert business_due(line(), at(7, 10), 60) == at(7, 11)


def test_minutes_left_at_closing_carry_to_the_next_opening():
    assert business_due(line(), at(7, 17, 30), 60) == at(8, 9, 30)


def test_a_message_overnight_starts_counting_at_the_next_opening():
    assert business_due(line(), at(7, 22), 30) == at(8, 9, 30)
    assert business_due(line(), at(8, 3), 30) == at(8, 9, 30)


def test_a_message_on_the_weekend_waits_for_monday():
    assert business_due(line(), at(11, 17, 50), 20) == at(14, 9, 10)  # Friday 17:50
    assert business_due(line(), at(12, 12), 15) == at(14, 9, 15)  # Saturday


def test_exact_boundaries_opening_and_closing():
    assert business_due(line(), at(7, 9), 60) == at(7, 10)
    assert business_due(line(), at(7, 17), 60) == at(7, 18)  # due at the closing minute
    assert business_due(line(), at(7, 18), 1) == at(8, 9, 1)  # closed at 18:00 sharp


def test_a_target_longer_than_a_day_spans_several_business_days():
    assert business_due(line(), at(7, 9), 9 * 60 * 2 + 30) == at(9, 9, 30)


def test_the_lines_zone_decides_not_the_servers():
    london = line(zone="Europe/London")
    start = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)  # 08:00 in London: closed
    assert business_due(london, start, 30) == dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC)


def test_daylight_saving_counts_real_minutes():
    # New York, Sunday 8 March 2026: open 00:00-23:59 every day; 02:00 jumps to 03:00.
    ny = line(days="0123456", opens=dt.time(0), closes=dt.time(23, 59), zone="America/New_York")
    start = dt.datetime(2026, 3, 8, 1, 30, tzinfo=ZoneInfo("America/New_York"))
    assert business_due(ny, start, 60) == start.astimezone(dt.UTC) + dt.timedelta(hours=1)
