"""Demo calls: five weeks of simulated calls through the real webhooks, once; then their
completed days rolled up (as the nightly sweep would), so the Calls pages read roll-ups; and
most answered calls given a disposition and notes, as their agents would have."""

import datetime as dt

from django.core.management import call_command
from django.db.models import F

from clients.demo import HISTORY_DAYS
from clients.models import DispositionCode
from routing.models import Call
from routing.rollups import callday_sweep

# What agents wrote, by the code's kind; one call in five ran out of wrap-up time instead.
NOTES = {
    "resolved": "Answered the caller's question; nothing left open.",
    "escalated": "Needs a supervisor's decision: passed on with the details.",
    "callback": "Caller asked to be called back after 5 pm.",
    "complaint": "Unhappy with the delay; complaint logged with the reference given.",
    "sale": "Agreed to the upgrade; the firm sends the papers.",
}


def seed_demo() -> list[tuple[str, str]]:
    if not Call.objects.exists():
        # Agents missed offers take themselves offline; in five weeks simulated in seconds they
        # would never be back: --back-on-duty, and the demo starts with them on duty.
        call_command("simulate_calls", calls=90, days=HISTORY_DAYS, seed=7, back_on_duty=True)
        _dispositions()
    callday_sweep()  # yesterday and every earlier day with calls but no roll-up
    return []


def _dispositions() -> None:
    """The simulation ran each wrap-up out (no disposition); lay most of them out as given,
    a little after the call ended. Demo data of the past: written directly."""
    codes: dict[int, list[DispositionCode]] = {}
    for code in DispositionCode.objects.filter(is_active=True).order_by("position", "id"):
        codes.setdefault(code.line_id, []).append(code)
    calls = Call.objects.filter(status=Call.Status.COMPLETED).exclude(wrap_up="").order_by("pk")
    for n, call in enumerate(calls):
        line_codes = codes.get(call.line_id)
        if not line_codes or n % 5 == 4:
            continue
        code = line_codes[n % len(line_codes)]
        call.wrap_up, call.disposition = Call.WrapUp.SUBMITTED, code
        call.notes = NOTES.get(code.kind, "Handled.")
        call.wrapped_up_at = call.ended_at + dt.timedelta(seconds=15 + n % 40)
        call.save(update_fields=["wrap_up", "disposition", "notes", "wrapped_up_at"])
    # The rest: missed when the line's wrap-up time was over.
    Call.objects.filter(status=Call.Status.COMPLETED, wrap_up=Call.WrapUp.MISSED).update(
        wrapped_up_at=F("ended_at") + dt.timedelta(seconds=30)
    )
