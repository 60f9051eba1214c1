"""Demo calls: five weeks of simulated calls through the real webhooks, once; then their
completed days rolled up (as the nightly sweep would), so the Calls pages read roll-ups.

Before them, Acme's Claims helpline turns its survey on and sends returning callers to their
last agent for 30 days: its history then holds rated calls and returning callers, with the
decisions saying whether each went to the caller's last agent."""

from django.core.management import call_command

from clients.demo import HISTORY_DAYS
from clients.models import FirmMember, PhoneLine
from clients.services import line_after_call_set
from routing.models import Call
from routing.rollups import callday_sweep

AFTER_CALL_LINE = "Claims helpline"
ESCALATION_DESK = "+918242499999"  # Acme's own claims supervisors (no line, no agent's phone)


def _after_call_settings() -> None:
    line = PhoneLine.objects.filter(name=AFTER_CALL_LINE).select_related("firm").first()
    if line is None:
        return
    admin = FirmMember.objects.filter(firm=line.firm, role=FirmMember.Role.ADMIN).first()
    line_after_call_set(
        firm=line.firm,
        user=admin.user,
        line=line,
        survey_enabled=True,
        sticky_days=30,
        escalation_number=ESCALATION_DESK,
    )


def seed_demo() -> list[tuple[str, str]]:
    if not Call.objects.exists():
        # With the calls, once: a firm admin's later edits survive a second seed.
        _after_call_settings()
        # Agents missed offers take themselves offline; in five weeks simulated in seconds they
        # would never be back: --back-on-duty, and the demo starts with them on duty.
        call_command("simulate_calls", calls=90, days=HISTORY_DAYS, seed=7, back_on_duty=True)
    callday_sweep()  # yesterday and every earlier day with calls but no roll-up
    return []
