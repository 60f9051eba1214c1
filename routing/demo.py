"""Demo calls: five weeks of simulated calls through the real webhooks, once; then their
completed days rolled up (as the nightly sweep would), so the Calls pages read roll-ups.

Then the claims helpline's customer context (issue 16): Acme's contact records for a few of
the demo's callers (their numbers are the simulated calls' own), uploaded through the same
service as the firm's CSV page, and the fields its agents see."""

import phonenumbers
from django.core.management import call_command

from clients.contacts import contacts_import
from clients.customer_context import line_context_set
from clients.demo import HISTORY_DAYS
from clients.models import ContextSource, PhoneLine
from common.csvfile import csv_lines
from routing.models import Call
from routing.rollups import callday_sweep

CONTEXT_LINE = "Claims helpline"
CONTEXT_FIELDS = ["name", "policy", "plan", "open_claim"]
DEMO_CUSTOMERS = [
    # name, language, policy, plan, open claim, a field agents never see
    (
        "Ravi Shetty",
        "kn",
        "POL-20417",
        "Family floater",
        "CLM-8812 (hospital bill)",
        "pan AAAPS1234K",
    ),
    ("Asha Pai", "tcy", "POL-31180", "Senior citizen", "", "pan AAAPP2345L"),
    ("Deepak Rao", "en", "POL-11873", "Individual", "CLM-9027 (car, windscreen)", "pan AAAPR3456M"),
    ("Leela Kamath", "kn", "POL-40022", "Family floater", "", "pan AAAPK4567N"),
    ("Suresh Bhat", "en", "POL-27761", "Top-up", "CLM-9105 (day care)", "pan AAAPB5678P"),
]


def seed_demo() -> list[tuple[str, str]]:
    if not Call.objects.exists():
        # Agents missed offers take themselves offline; in five weeks simulated in seconds they
        # would never be back: --back-on-duty, and the demo starts with them on duty.
        call_command("simulate_calls", calls=90, days=HISTORY_DAYS, seed=7, back_on_duty=True)
    callday_sweep()  # yesterday and every earlier day with calls but no roll-up
    _customer_context()
    return []


def _customer_context() -> None:
    line = PhoneLine.objects.filter(name=CONTEXT_LINE).select_related("firm").first()
    if line is None:
        return
    admin = line.firm.members.filter(role="admin").first().user
    # The earliest callers: the same on every seed, whatever was simulated since.
    first = Call.objects.filter(line=line).exclude(caller="").order_by("created_at", "pk")
    callers: list[str] = []
    for caller in first.values_list("caller", flat=True).iterator():
        # The simulation's made-up landlines are not all numbers phonenumbers accepts.
        if str(caller) not in callers and phonenumbers.is_valid_number(caller):
            callers.append(str(caller))
        if len(callers) == len(DEMO_CUSTOMERS):
            break
    header = ["number", "name", "language", "external_id", "policy", "plan", "open_claim", "notes"]
    rows = [
        [number, name, language, policy, policy, plan, claim, notes]
        for number, (name, language, policy, plan, claim, notes) in zip(
            callers, DEMO_CUSTOMERS, strict=False
        )
    ]
    # The one CSV writer (common.csvfile): "+91…" cells come out as "'+91…", which the
    # importer's phonenumbers reads as the number (a firm's re-upload of our export does too).
    data = "".join(csv_lines(header, rows)).encode()
    if callers:  # merged by external id: a second seed updates the same records
        contacts_import(firm=line.firm, user=admin, data=data)
    if line.context_source == ContextSource.NONE:  # a firm admin's own choice survives a re-seed
        line_context_set(
            line=line,
            user=admin,
            source=ContextSource.CONTACTS,
            url="",
            fields=CONTEXT_FIELDS,
            keep=False,
        )
