"""Business minutes of a line (issue 18: the queue's first-response target)."""

import datetime as dt


def business_due(line, start: dt.datetime, minutes: int) -> dt.datetime:
    """When `minutes` of the line's business hours (its days, opening and closing times, in
    its time zone) have passed since `start`. (Written in full by the assignment work.)"""
    return start + dt.timedelta(minutes=minutes)
