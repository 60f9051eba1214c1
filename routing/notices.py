"""Firms are told when a line's day fell below its service-level target (accounts.notifications).

Run by the nightly roll-up sweep (`routing.rollups.callday_sweep`) for the day it has just
rolled up, on the roll-up rows (no scan of calls): once per line and day — the key is the
line's day, so a second sweep (or a recomputed day) tells nobody twice. Days the sweep fills
in later (the beat was down) are not told: old news.
"""

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from accounts.notifications import notification_send
from clients.notices import firm_users
from common.dates import period_label
from routing.models import CallDay

# The share of offered calls answered within the target seconds that a line aims at. The
# seconds are each line's own (PhoneLine.service_level_target_seconds, kept on every roll-up
# row as target_seconds); the share is the same 80% for every line.
SERVICE_LEVEL_TARGET_PERCENT = 80


@transaction.atomic
def service_level_alerts(
    *, day: dt.date, target_percent: int = SERVICE_LEVEL_TARGET_PERCENT
) -> int:
    """Tell each firm's users of its lines whose `day` was below target; returns the lines."""
    below = (
        CallDay.objects.filter(day=day, offered__gt=0)
        .alias(within_percent=F("within_target") * 100)
        .filter(within_percent__lt=F("offered") * target_percent)
        .select_related("line", "firm")
        .order_by("line_id")
    )
    told = 0
    for row in below:
        level = row.within_target * 100 // row.offered
        notification_send(
            users=firm_users(firm=row.firm),
            kind=Notification.Kind.SERVICE_LEVEL_LOW,
            title=(
                f"{row.line.name}: {level}% of calls answered in time on "
                f"{period_label(day, day, end_exclusive=False)}"
            ),
            body=(
                f"{row.within_target} of {row.offered} calls were answered within "
                f"{row.target_seconds} s; the target is {target_percent}%."
            ),
            url=reverse("calls:list"),
            key=f"line:{row.line_id}:{day.isoformat()}",
        )
        told += 1
    return told


def call_scored_text(*, score, line_name: str) -> tuple[str, str]:
    """The agent's notice of a quality score (routing.services.quality.call_score): the
    line, the day and the score, never the caller's number or anything they said."""
    day = timezone.localtime(score.call.created_at).strftime("%d %b")
    title = f"A call on {line_name} ({day}) was scored {score.percent}%"
    body = "Read the scorer's comments under Call quality." if score.comment else ""
    return title, body
