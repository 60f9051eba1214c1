"""tasks (issue 18)."""


# --- IMAP mailboxes (mailroom.imap) -----------------------------------------------------

from celery import shared_task

from mailroom import imap
from mailroom.sending import campaigns_tick

IMAP_POLL_EXPIRES = 55  # seconds: a poll still queued when the next beat comes is dropped


@shared_task(name="mailroom.imap_poll")
def imap_poll_task() -> int:
    """Every 60 s (beat): one poll task per active mailbox; returns how many were queued.
    Two polls of a mailbox never overlap (its row lock, mailroom.imap)."""
    ids = imap.mailbox_ids_active()
    for mailbox_id in ids:
        imap_poll_mailbox_task.apply_async((mailbox_id,), expires=IMAP_POLL_EXPIRES)
    return len(ids)


@shared_task(name="mailroom.imap_poll_mailbox")
def imap_poll_mailbox_task(mailbox_id: int) -> int:
    """Take one mailbox's new messages; safe twice (UIDs and Message-IDs are taken once)."""
    return imap.mailbox_poll_id(mailbox_id=mailbox_id)


# --- H4 (campaigns): the campaign sender's beat tick -----------------------------------------


@shared_task(name="mailroom.campaigns_tick", ignore_result=True)
def campaigns_tick_task() -> int:
    """Due campaigns start; sending ones send their share of the minute (mailroom.sending:
    safe to run on two workers at once, and again)."""
    return campaigns_tick()


# --- Assignment, the service level and the reply outbox (H2) -------------------------------


@shared_task(name="mailroom.reply_send", ignore_result=True)
def reply_send_task(message_id: int) -> bool:
    """A reply's transaction committed: send it (a lost run is the sweep's to resend)."""
    from mailroom import outbox

    return outbox.message_send(message_id=message_id)


@shared_task(name="mailroom.sweep", ignore_result=True)
def mailroom_sweep_task() -> dict[str, int]:
    """Beat, every minute: release conversations of agents offline or no longer eligible,
    route the waiting ones, mark breached targets, resend replies a lost task left queued."""
    from mailroom import assignment, outbox, sla

    released, routed = assignment.conversations_sweep()
    return {
        "released": released,
        "routed": routed,
        "breached": sla.conversations_breach_due(),
        "resent": outbox.messages_resend_due(),
    }
