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
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import User
from campaigns.models import (
    Attempt,
    Campaign,
    CampaignAgent,
    CampaignContact,
    Category,
    ContactList,
    ListMember,
    RegistryEntry,
    RegistryVersion,
    SuppressionEntry,
    SuppressionList,
    category_bit,
)
from campaigns.simulator import simulate_outbound
from clients import scripts
from clients.models import (
    ClientFirm,
    Contact,
    ContactNumber,
    DispositionCode,
    Engagement,
    PhoneLine,
    StaffingRequest,
)
from routing.rollups import callday_sweep

INDIA = ZoneInfo("Asia/Kolkata")
SIMULATED_ATTEMPTS = 30
SIMULATION_SEED = 16  # its calls include an opt-out, a machine, a "do not call"
REGISTRY_SOURCE = "NCPR extract (demo)"

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
# Outbound rates, where the demo's requests and engagements have none yet (firm's, agent's).
OUTBOUND_RATES = {
    "Acme Insurance": ("connect", Decimal("40.00"), Decimal("32.00")),
    "Kaveri Bank Services": ("minute", Decimal("5.00"), Decimal("4.00")),
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
    if len(firms) < len(CAMPAIGNS):
        return []
    _outbound_rates(firms)
    campaigns = [_campaign_rows(firms[name], *row) for name, row in CAMPAIGNS.items()]
    _do_not_call(firms["Acme Insurance"])
    _registry()
    if not Attempt.objects.filter(campaign__in=campaigns).exists():
        simulate_outbound(attempts=SIMULATED_ATTEMPTS, seed=SIMULATION_SEED)
        callday_sweep()  # yesterday's roll-up again, with the calls laid out in it
    return []


def _outbound_rates(firms: dict[str, ClientFirm]) -> None:
    for name, (unit, client, agent) in OUTBOUND_RATES.items():
        requests = StaffingRequest.objects.filter(firm=firms[name], outbound_rate__isnull=True)
        requests.update(outbound_rate_unit=unit, outbound_rate=client)
        unpriced = Engagement.objects.filter(firm=firms[name], outbound_client_rate__isnull=True)
        unpriced.update(
            outbound_rate_unit=unit, outbound_client_rate=client, outbound_agent_rate=agent
        )


def _codes(line: PhoneLine) -> None:
    admin = line.firm.members.filter(role="admin").order_by("pk").first().user
    for code, label, kind in OUTBOUND_CODES:
        if not line.dispositions.filter(kind=kind).exists():
            scripts.disposition_add(actor=admin, line=line, code=code, label=label, kind=kind)


def _campaign_rows(
    firm: ClientFirm,
    name: str,
    list_name: str,
    line_name: str,
    purpose: str,
    mode: str,
    sub_skill: str,
    agent_emails: list[str],
    fields_shown: list[str],
) -> Campaign:
    """The list, its contacts, the campaign, its agents and targets — only what is missing.

    TODO(lead, issue 17): written as rows until the services are on main; switch to
    `campaigns.imports` (contact_list_create, and an import of the list's CSV) and
    `campaigns.lifecycle` (campaign_create, campaign_agents_set, campaign_lists_set,
    campaign_start). Keep the targets due from the campaign's start (a few days ago): the
    simulation places its promotional calls at a daytime moment before now."""
    line = PhoneLine.objects.get(firm=firm, name=line_name)
    _codes(line)
    # A partial BPO keeps its own lists and campaigns; for a complete BPO the agency does.
    if firm.engagement_type == ClientFirm.EngagementType.PARTIAL:
        admin = firm.members.filter(role="admin").order_by("pk").first().user
    else:
        admin = User.objects.filter(role=User.Role.ADMIN).order_by("pk").first()
    today = timezone.localdate()
    started = dt.datetime.combine(today - dt.timedelta(days=3), dt.time(9, 0), tzinfo=INDIA)
    contact_list, _ = ContactList.objects.get_or_create(
        firm=firm, name=list_name, defaults={"created_by": admin, "version": 1}
    )
    campaign, _ = Campaign.objects.get_or_create(
        firm=firm,
        name=name,
        defaults={
            "line": line,
            "purpose": purpose,
            "category": Category.BANKING,
            "mode": mode,
            "sub_skill": sub_skill,
            "fields_shown": fields_shown,
            "starts_on": started.date(),
            "ends_on": today + dt.timedelta(days=60),
            "window_start": dt.time(9, 30) if purpose == "promotional" else dt.time(0),
            "window_end": dt.time(20, 30) if purpose == "promotional" else dt.time(23, 59),
            "excluded_weekdays": [],
            "status": Campaign.Status.RUNNING,
            "created_by": admin,
            "scheduled_at": started,
            "started_at": started,
        },
    )
    campaign.lists.add(contact_list)
    for email in agent_emails:
        engagement = (
            Engagement.objects.filter(
                firm=firm, agent__user__email=email, status="active", lines=line
            )
            .order_by("pk")
            .first()
        )
        if engagement is not None:
            CampaignAgent.objects.get_or_create(
                campaign=campaign,
                agent=engagement.agent,
                defaults={"engagement": engagement},
            )
    prefix = "ACME-HC" if firm.name == "Acme Insurance" else "KAV-EMI"
    for n, (fields, number) in enumerate(_contacts(firm), start=1):
        contact, _ = Contact.objects.get_or_create(
            firm=firm, external_id=f"{prefix}-{n:03d}", defaults=fields
        )
        ContactNumber.objects.get_or_create(firm=firm, number=number, defaults={"contact": contact})
        ListMember.objects.get_or_create(contact_list=contact_list, contact=contact)
        CampaignContact.objects.get_or_create(
            campaign=campaign, contact=contact, defaults={"next_attempt_at": started}
        )
    members = ListMember.objects.filter(contact_list=contact_list).count()
    if contact_list.members_count != members:
        contact_list.members_count = members
        contact_list.save(update_fields=["members_count", "updated_at"])
    return campaign


def _acme_number(n: int) -> str:
    return f"+9198450{n:05d}"


def _do_not_call(firm: ClientFirm) -> None:
    """One number on Acme's own do-not-call list, as uploaded by the firm (once)."""
    if SuppressionEntry.objects.filter(firm=firm, source=SuppressionEntry.Source.UPLOAD).exists():
        return
    listed, _ = SuppressionList.objects.get_or_create(firm=firm)
    listed.version += 1
    listed.save(update_fields=["version", "updated_at"])
    SuppressionEntry.objects.get_or_create(
        firm=firm,
        number=_acme_number(SUPPRESSED),
        defaults={"source": SuppressionEntry.Source.UPLOAD, "version": listed.version},
    )


def _registry() -> None:
    """The agency's registry extract (once): two of Acme's numbers blocked for its campaign
    (fully, and for category 1), one for real estate only, and numbers on no demo list."""
    if RegistryVersion.objects.filter(source_name=REGISTRY_SOURCE).exists():
        return
    entries = {
        _acme_number(FULLY_BLOCKED): (True, 0),
        _acme_number(CATEGORY_BLOCKED): (False, category_bit(Category.BANKING)),
        _acme_number(OTHER_CATEGORY): (False, category_bit(Category.REAL_ESTATE)),
        "+919845099901": (True, 0),
        "+919845099902": (False, category_bit(Category.TOURISM)),
    }
    version = RegistryVersion.objects.create(
        source_name=REGISTRY_SOURCE,
        entries=len(entries),
        is_complete=True,
        completed_at=timezone.now() - dt.timedelta(days=2),
    )
    RegistryEntry.objects.bulk_create(
        RegistryEntry(version=version, number=number, fully_blocked=full, blocked=bits)
        for number, (full, bits) in entries.items()
    )
