"""tasks (issue 18)."""

# --- Assignment, the service level and the reply outbox (H2) -------------------------------
from celery import shared_task


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
