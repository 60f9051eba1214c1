"""tasks (issue 18)."""

# --- H4 (campaigns): the campaign sender's beat tick -----------------------------------------
from celery import shared_task

from mailroom.sending import campaigns_tick


@shared_task(name="mailroom.campaigns_tick", ignore_result=True)
def campaigns_tick_task() -> int:
    """Due campaigns start; sending ones send their share of the minute (mailroom.sending:
    safe to run on two workers at once, and again)."""
    return campaigns_tick()
