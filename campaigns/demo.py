"""Demo outbound work (issue 17), after routing's demo: a campaign per firm, then their calls.

- Acme Insurance (partial BPO, its own list): "Health top-up renewals", 40 contacts in
  Karnataka (Kannada, English, Tulu) and a few abroad (London, California, Dubai: their own
  calling hours), one of them on Acme's do-not-call list; the agency's registry extract blocks
  one of the list's numbers fully and one for banking/insurance (category 1), and another for
  real estate only (so it is called). The "Family floater top-up" campaign is promotional,
  category 1, on the Claims helpline (its script and codes), preview mode, worked by Meera and
  Priya (engaged on that line), running.
- Kaveri Bank Services (complete BPO, the agency keeps its list): "EMI reminders", a service
  campaign in progressive mode on the Loans helpline, worked by Raman and Karthik.

Then, once, 30 attempts are simulated through the Twilio webhooks (`campaigns.simulator`):
connects with their dispositions (a callback promised for tomorrow, a "do not call"), no
answers and busy lines retried by the rules, a machine, an opt-out, the registry's refusals
with their proof. A second seed changes nothing.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from campaigns.imports import contact_list_create, import_run, import_start
from campaigns.lifecycle import (
    campaign_agents_set,
    campaign_create,
    campaign_schedule,
    campaign_start,
)
from campaigns.models import (
    Attempt,
    Campaign,
    Category,
    ContactList,
    ImportJob,
    RegistryVersion,
    SuppressionEntry,
)
from campaigns.simulator import simulate_outbound
from clients import scripts
from clients.models import ClientFirm, DispositionCode, Engagement, PhoneLine
from common.csvfile import csv_lines
from routing.rollups import callday_sweep

INDIA = ZoneInfo("Asia/Kolkata")
SIMULATED_ATTEMPTS = 30
SIMULATION_SEED = 16  # its calls include an opt-out, a machine, a "do not call"
REGISTRY_SOURCE = "ncpr-extract-demo.csv"  # as the agency uploaded it

ACME_NAMES = [
    # name, language
    ("Ananya Hegde", "kn"),
    ("Rohan Shenoy", "en"),
    ("Kavya Poojary", "tcy"),  # 3: fully blocked on the registry
    ("Vinay Kamath", "kn"),
    ("Shreya Nayak", "en"),  # 5: on Acme's own do-not-call list
    ("Prakash Acharya", "kn"),
    ("Divya Alva", "tcy"),  # 7: the registry blocks category 1 (banking, insurance)
    ("Naveen Bhandary", "kn"),
    ("Sowmya Rai", "en"),
    ("Girish Kotian", "tcy"),
    ("Pooja Shetty", "kn"),  # 11: the registry blocks real estate only: called
    ("Sandeep Pai", "en"),
    ("Meghana Bangera", "tcy"),
    ("Harish Prabhu", "kn"),
    ("Nandini Karanth", "en"),
    ("Ajay Suvarna", "kn"),
    ("Rekha Salian", "tcy"),
    ("Manjunath Gowda", "kn"),
    ("Lavanya Bhat", "en"),
    ("Suraj Amin", "tcy"),
    ("Chaitra Holla", "kn"),
    ("Kiran Mendon", "en"),
    ("Anitha D'Souza", "en"),
    ("Mahesh Kunder", "kn"),
    ("Swathi Upadhya", "kn"),
    ("Raghavendra Rao", "en"),
    ("Bhavya Shetty", "tcy"),
    ("Deepa Kini", "kn"),
    ("Santosh Moolya", "tcy"),
    ("Ashwini Bhat", "en"),
    ("Yogesh Naik", "kn"),
    ("Priyanka Pinto", "en"),
    ("Umesh Kotekar", "tcy"),
    ("Sahana Ballal", "kn"),
    ("Tejas Padival", "en"),
    ("Vidya Hebbar", "kn"),
    ("Arjun Kamath", "en"),
]
ACME_ABROAD = [
    # name, language, number, time zone given in the list ("": from the number)
    ("Nikhil Shenoy", "en", "+447911123456", "Europe/London"),
    ("Sneha Rao", "en", "+14155552671", ""),  # California: the number's only zone
    ("Farhan Shaikh", "en", "+971501234567", "Asia/Dubai"),
]
FULLY_BLOCKED, CATEGORY_BLOCKED, OTHER_CATEGORY, SUPPRESSED = 3, 7, 11, 5
PLANS = ["Family floater", "Senior citizen", "Individual", "Top-up"]
KAVERI_NAMES = [
    ("Murugan Pillai", "ta"),
    ("Lakshmi Narayanan", "ta"),
    ("Selvi Rajendran", "ta"),
    ("Arun Kumar", "en"),
    ("Meenakshi Sundaram", "ta"),
    ("Vignesh Ramasamy", "en"),
    ("Kalaivani Senthil", "ta"),
    ("Prabhu Natarajan", "ta"),
]
CAMPAIGNS = {
    # firm, campaign, list, line, purpose, mode, sub-skill, agents, fields shown
    "Acme Insurance": (
        "Family floater top-up offer",
        "Health top-up renewals",
        "Claims helpline",
        Campaign.Purpose.PROMOTIONAL,
        Campaign.Mode.PREVIEW,
        "",
        ["meera@agents.example", "priya@agents.example"],
        ["policy", "plan", "renews_on"],
    ),
    "Kaveri Bank Services": (
        "EMI reminders, December",
        "Loan customers, Madurai",
        "Loans helpline",
        Campaign.Purpose.SERVICE,
        Campaign.Mode.PROGRESSIVE,
        "loans",
        ["raman@agents.example", "karthik@agents.example"],
        ["loan", "emi_due"],
    ),
}
OUTBOUND_CODES = [  # the codes an outbound campaign's line needs besides the defaults
    ("DNC", "Do not call again", DispositionCode.Kind.DO_NOT_CALL),
    ("AM", "Answering machine", DispositionCode.Kind.MACHINE),
]


def _contacts(firm: ClientFirm) -> list[tuple[dict, str]]:
    """(contact fields, number) for the firm's demo list, in the list's order."""
    rows = []
    if firm.name == "Acme Insurance":
        for n, (name, language) in enumerate(ACME_NAMES, start=1):
            fields = {
                "policy": f"POL-{52000 + n * 37}",
                "plan": PLANS[n % len(PLANS)],
                "renews_on": f"2027-0{1 + n % 3}-{10 + n % 18:02d}",
            }
            contact = {"name": name, "language": language, "time_zone": "", "fields": fields}
            rows.append((contact, _acme_number(n)))
        for n, (name, language, number, zone) in enumerate(ACME_ABROAD, start=len(rows) + 1):
            fields = {"policy": f"POL-{52000 + n * 37}", "plan": "NRI family floater"}
            contact = {"name": name, "language": language, "time_zone": zone, "fields": fields}
            rows.append((contact, number))
    else:
        for n, (name, language) in enumerate(KAVERI_NAMES, start=1):
            fields = {"loan": f"HL-{81000 + n * 53}", "emi_due": f"{5 + n}th"}
            contact = {"name": name, "language": language, "time_zone": "", "fields": fields}
            rows.append((contact, f"+9194430{n:05d}"))
    return rows


def seed_demo() -> list[tuple[str, str]]:
    firms = {f.name: f for f in ClientFirm.objects.filter(name__in=CAMPAIGNS)}
    agency = User.objects.filter(role=User.Role.ADMIN).order_by("pk").first()
    if len(firms) < len(CAMPAIGNS) or agency is None:
        return []
    started = dt.datetime.combine(
        timezone.localdate() - dt.timedelta(days=3), dt.time(9, 0), tzinfo=INDIA
    )
    _registry(agency)
    _do_not_call(firms["Acme Insurance"])
    campaigns = [
        _campaign(firms[name], *row, agency=agency, started=started)
        for name, row in CAMPAIGNS.items()
    ]
    if not Attempt.objects.filter(campaign__in=campaigns).exists():
        simulate_outbound(attempts=SIMULATED_ATTEMPTS, seed=SIMULATION_SEED)
        callday_sweep()  # yesterday's roll-up again, with the calls laid out in it
    return []


def _keeper(firm: ClientFirm, agency: User) -> User:
    """Who keeps the firm's lists and campaigns: a partial BPO itself, else the agency."""
    if firm.engagement_type == ClientFirm.EngagementType.PARTIAL:
        return firm.members.filter(role="admin").order_by("pk").first().user
    return agency


def _imported(*, actor: User, kind: str, name: str, rows: list[list[str]], **where) -> None:
    """A CSV through the import service, read at once (in the seed's transaction the task
    waits for its commit; it then finds the job done)."""
    data = "".join(csv_lines(rows[0], rows[1:])).encode()
    upload = SimpleUploadedFile(name, data, content_type="text/csv")
    job = import_start(actor=actor, kind=kind, upload=upload, **where)
    import_run(job_id=job.pk)


def _codes(line: PhoneLine) -> None:
    admin = line.firm.members.filter(role="admin").order_by("pk").first().user
    for code, label, kind in OUTBOUND_CODES:
        if not line.dispositions.filter(kind=kind).exists():
            scripts.disposition_add(actor=admin, line=line, code=code, label=label, kind=kind)


def _campaign(
    firm: ClientFirm,
    name: str,
    list_name: str,
    line_name: str,
    purpose: str,
    mode: str,
    sub_skill: str,
    agent_emails: list[str],
    fields_shown: list[str],
    *,
    agency: User,
    started: dt.datetime,
) -> Campaign:
    """The firm's list (imported), and its campaign with its agents, started a few days
    ago (`started`: its contacts due since then) — once: a second seed finds them."""
    line = PhoneLine.objects.get(firm=firm, name=line_name)
    _codes(line)
    keeper = _keeper(firm, agency)
    contact_list = ContactList.objects.filter(firm=firm, name=list_name).first()
    if contact_list is None:
        contact_list = contact_list_create(actor=keeper, firm=firm, name=list_name)
        _imported(
            actor=keeper,
            kind=ImportJob.Kind.CONTACTS,
            name=f"{list_name}.csv",
            rows=_contact_rows(firm),
            firm=firm,
            contact_list=contact_list,
        )
    campaign = Campaign.objects.filter(firm=firm, name=name).first()
    if campaign is not None:
        return campaign
    campaign = campaign_create(
        actor=keeper,
        firm=firm,
        lists=[contact_list],
        name=name,
        line=line,
        purpose=purpose,
        category=Category.BANKING,
        mode=mode,
        sub_skill=sub_skill,
        fields_shown=fields_shown,
        starts_on=started.date(),
        ends_on=timezone.localdate() + dt.timedelta(days=60),
        window_start=dt.time(9, 30) if purpose == "promotional" else dt.time(0, 0),
        window_end=dt.time(20, 30) if purpose == "promotional" else dt.time(23, 59),
    )
    engagements = Engagement.objects.filter(
        firm=firm, agent__user__email__in=agent_emails, status="active", lines=line
    ).order_by("pk")
    campaign_agents_set(actor=keeper, campaign=campaign, engagements=list(engagements))
    campaign_schedule(actor=keeper, campaign=campaign, at=started)
    return campaign_start(actor=keeper, campaign=campaign, at=started)


def _contact_rows(firm: ClientFirm) -> list[list[str]]:
    """The list's CSV: a header, then a contact a row (ids of the firm's own)."""
    prefix = "ACME-HC" if firm.name == "Acme Insurance" else "KAV-EMI"
    contacts = _contacts(firm)
    names = sorted({key for fields, _ in contacts for key in fields["fields"]})
    header = ["external_id", "name", "number", "language", "time_zone", *names]
    rows = [header]
    for n, (fields, number) in enumerate(contacts, start=1):
        extra = [fields["fields"].get(key, "") for key in names]
        contact_id = f"{prefix}-{n:03d}"
        rows.append([contact_id, fields["name"], number, fields["language"], fields["time_zone"]])
        rows[-1].extend(extra)
    return rows


def _acme_number(n: int) -> str:
    # Not +91984500000N: those are the demo agents' own phones (agents.demo), and a firm must
    # never hold, or dial, an agent's personal number as one of its contacts.
    return f"+9198451{n:05d}"


def _do_not_call(firm: ClientFirm) -> None:
    """One number on Acme's own do-not-call list, uploaded by the firm (once)."""
    if SuppressionEntry.objects.filter(firm=firm, source=SuppressionEntry.Source.UPLOAD).exists():
        return
    admin = firm.members.filter(role="admin").order_by("pk").first().user
    _imported(
        actor=admin,
        kind=ImportJob.Kind.SUPPRESSION,
        name="do-not-call.csv",
        rows=[["number"], [_acme_number(SUPPRESSED)]],
        firm=firm,
    )


def _registry(agency: User) -> None:
    """The agency's registry extract (once): two of Acme's numbers blocked for its campaign
    (fully, and for category 1), one for real estate only, and numbers on no demo list."""
    if RegistryVersion.objects.filter(source_name=REGISTRY_SOURCE).exists():
        return
    rows = [
        ["number", "blocked"],
        [_acme_number(FULLY_BLOCKED), "full"],
        [_acme_number(CATEGORY_BLOCKED), Category.BANKING.value],
        [_acme_number(OTHER_CATEGORY), Category.REAL_ESTATE.value],
        ["+919845099901", "full"],
        ["+919845099902", f"{Category.TOURISM.value};{Category.HEALTH.value}"],
    ]
    _imported(actor=agency, kind=ImportJob.Kind.REGISTRY, name=REGISTRY_SOURCE, rows=rows)
