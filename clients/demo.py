"""Demo client firms: a partial-BPO insurer and a complete-BPO bank, with lines, requests,
pools and engagements built from the agents app's demo agents."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.demo import demo_user
from accounts.models import User
from agents.gazetteer import place_find
from agents.models import AgentProfile
from clients import marketplace, scripts, services
from clients.models import (
    ApiKey,
    Application,
    ClientFirm,
    Engagement,
    FirmMember,
    PhoneLine,
    StaffingRequest,
)

# The demo's calls go back this many days (routing.demo simulates them): the firms' requests
# and engagements began then, so each call falls inside the engagement it is billed under.
HISTORY_DAYS = 35

FIRMS = [
    # name, type, currency, admin email, admin name
    ("Acme Insurance", "partial", "INR", "client@acme-insurance.example", "Chitra Client"),
    ("Kaveri Bank Services", "complete", "INR", "client@kaveri-bank.example", "Kiran Kaveri"),
]
# The firms as their tax invoices name them (issue 15): Acme in Karnataka, the agency's own
# state (CGST + SGST), Kaveri in Tamil Nadu (IGST). The GSTINs pass stdnum's check digits.
TAX_DETAILS = {
    "Acme Insurance": (
        "Acme Insurance Private Limited",
        "7th Floor, 24 Lavelle Road\nBengaluru, Karnataka 560001",
        "29",
        "29AABCA2614K1ZS",
    ),
    "Kaveri Bank Services": (
        "Kaveri Bank Services Limited",
        "110 Anna Salai, Teynampet\nChennai, Tamil Nadu 600018",
        "33",
        "33AAECK5870M1Z6",
    ),
}
LINES = [
    # firm, number, name, domain, sub_skill, region, languages [(code, digit)]
    (
        "Acme Insurance",
        "+918242220001",
        "Claims helpline",
        "insurance",
        "claims",
        "Mangaluru",
        [("kn", 1), ("en", 2), ("tcy", 3)],
    ),
    (
        "Acme Insurance",
        "+914222220002",
        "Policy desk",
        "insurance",
        "",
        "Coimbatore",
        [("ta", 1), ("en", 2)],
    ),
    (
        "Kaveri Bank Services",
        "+914522220003",
        "Loans helpline",
        "banking",
        "loans",
        "Madurai",
        [("ta", 1), ("en", 2)],
    ),
]
REQUESTS = [
    # firm, title, domain, sub_skill, languages, regions, calls/h, aht, line names
    (
        "Acme Insurance",
        "Claims desk, coastal Karnataka",
        "insurance",
        "claims",
        ["kn", "en"],
        ["Mangaluru", "Udupi"],
        Decimal(60),
        240,
        ["Claims helpline"],
    ),
    (
        "Acme Insurance",
        "Policy servicing, Tamil Nadu",
        "insurance",
        "",
        ["ta", "en"],
        ["Coimbatore", "Madurai"],
        Decimal(40),
        300,
        ["Policy desk"],
    ),
    (
        "Kaveri Bank Services",
        "Loan servicing, Tamil Nadu",
        "banking",
        "loans",
        ["ta", "en"],
        ["Madurai"],
        Decimal(90),
        200,
        ["Loans helpline"],
    ),
]


def _agent(email: str) -> AgentProfile | None:
    return AgentProfile.objects.filter(user__email=email, status="verified").first()


def _firm(name, engagement_type, currency, email, admin_name) -> ClientFirm:
    firm, _ = ClientFirm.objects.get_or_create(
        name=name,
        defaults={
            "engagement_type": engagement_type,
            "currency": currency,
            "contact_name": admin_name,
            "contact_email": email,
        },
    )
    user = demo_user(email, name=admin_name, role=User.Role.CLIENT)
    FirmMember.objects.update_or_create(user=user, defaults={"firm": firm, "role": "admin"})
    return firm


def _request(firm, title, domain, sub_skill, languages, regions, calls, aht, line_names, admin):
    existing = StaffingRequest.objects.filter(firm=firm, title=title).first()
    if existing:
        return existing
    today = timezone.localdate()
    region_ids = [place_find(r, country_code="IN").geoname_id for r in regions]
    lines = PhoneLine.objects.filter(firm=firm, name__in=line_names)
    return marketplace.staffing_request_create(
        firm=firm,
        user=admin,
        title=title,
        domain=domain,
        sub_skill=sub_skill,
        languages=languages,
        region_ids=region_ids,
        line_ids=[line.pk for line in lines],
        # Worked round the clock, as the demo lines are open: routing offers a call only
        # inside its request's hours, and the demo routes its calls whenever it is run.
        days="0123456",
        starts_at=dt.time(0),
        ends_at=dt.time(23, 59),
        start_date=today,
        end_date=today + dt.timedelta(days=180),
        region_radius_km=300,
        calls_per_hour=calls,
        aht_seconds=aht,
        target_level=80,
        target_seconds=20,
        shrinkage=30,
        headcount=None,
        rate_unit="minute" if domain == "insurance" else "call",
        rate=Decimal("6.00") if domain == "insurance" else Decimal("45.00"),
        minimum_per_call=Decimal("12.00") if domain == "insurance" else Decimal(0),
        # Outbound calls (campaigns) at rates of their own: Acme (partial BPO) pays per call
        # its customer answers, Kaveri (complete BPO) per started minute of talk.
        outbound_rate_unit="connect" if firm.is_partial else "minute",
        outbound_rate=Decimal("30.00") if firm.is_partial else Decimal("8.00"),
        # Email (mailroom): a handled conversation, and each campaign email.
        email_rate=Decimal("25.00") if firm.is_partial else Decimal("15.00"),
        campaign_email_rate=Decimal("0.50") if firm.is_partial else Decimal("0.30"),
    )


def seed_demo() -> list[tuple[str, str]]:
    firms = {row[0]: _firm(*row) for row in FIRMS}
    for name, (legal_name, address, state, gstin) in TAX_DETAILS.items():
        # Only where none are set: a firm admin's own edits survive a second seed.
        ClientFirm.objects.filter(name=name, gstin="").update(
            legal_name=legal_name, billing_address=address, state=state, gstin=gstin
        )
    admins = {f.name: f.members.get(role="admin").user for f in firms.values()}
    for firm_name, number, name, domain, sub_skill, region, languages in LINES:
        firm = firms[firm_name]
        line = PhoneLine.objects.filter(number=number).first()
        services.line_save(
            firm=firm,
            line=line,
            number=number,
            name=name,
            domain=domain,
            sub_skill=sub_skill,
            region_geoname_id=place_find(region, country_code="IN").geoname_id,
            time_zone="Asia/Kolkata",
            business_days="0123456",
            opens_at=dt.time(0),
            closes_at=dt.time(23, 59),
            # Targets of their own: the claims desk promises an answer within 10 s, the
            # others 20 s (the Calls page then shows answers within and past the target).
            service_level_target_seconds=10 if name == "Claims helpline" else 20,
            languages=languages,
        )
    _workspace(admins)
    requests = {row[1]: _request(firms[row[0]], *row[1:], admin=admins[row[0]]) for row in REQUESTS}
    staff = User.objects.filter(role=User.Role.ADMIN).first()
    claims, policy, loans = requests.values()
    meera, anand, raman, priya, karthik = (
        _agent(f"{n}@agents.example") for n in ("meera", "anand", "raman", "priya", "karthik")
    )
    for agent, why in ((meera, "Twenty-eight years of claims work"), (priya, "Claims, Udupi")):
        if agent and not Application.objects.filter(request=claims, agent=agent).exists():
            application = marketplace.application_create(agent=agent, request=claims)
            marketplace.application_decide(
                firm=claims.firm,
                application_id=application.pk,
                approve=True,
                reason=why,
                user=admins["Acme Insurance"],
            )
    if anand and not Application.objects.filter(request=policy, agent=anand).exists():
        marketplace.application_create(agent=anand, request=policy)  # waits in Acme's pool
    assign = [
        a.pk for a in (raman, karthik) if a and not loans.engagements.filter(agent=a).exists()
    ]
    if assign:
        marketplace.agents_assign(request=loans, agent_ids=assign, user=staff)
    _history_begins(list(requests.values()))
    return [
        (email, f"Client admin, {name} ({'partial' if kind == 'partial' else 'complete'} BPO)")
        for name, kind, _c, email, _n in FIRMS
    ]


# What agents read on the demo lines, by language ("": the default), and where they may send
# a caller the line cannot help (the firm's own escalation desk).
SCRIPTS = {
    "Claims helpline": {
        "": "## Greeting\n\nThank you for calling **Acme Insurance** claims. My name is …\n\n"
        "1. Ask for the **policy number** and the claim number, if there is one\n"
        "2. Confirm the caller's name against the record shown above\n"
        "3. Explain the next step and when they will hear from us\n\n"
        "> Never read out bank details or the full policy holder's address.",
        "kn": "## ಸ್ವಾಗತ\n\n**ಅಕ್ಮೆ ಇನ್ಶೂರೆನ್ಸ್** ಕ್ಲೇಮ್ಸ್ ವಿಭಾಗಕ್ಕೆ ಕರೆ ಮಾಡಿದ್ದಕ್ಕೆ ಧನ್ಯವಾದಗಳು.\n\n"
        "1. ಪಾಲಿಸಿ ಸಂಖ್ಯೆ ಕೇಳಿ\n2. ಕ್ಲೇಮ್ ಸ್ಥಿತಿ ತಿಳಿಸಿ\n\n> ಬ್ಯಾಂಕ್ ವಿವರಗಳನ್ನು ಎಂದಿಗೂ ಓದಬೇಡಿ.",
    },
    "Policy desk": {
        "": "## Greeting\n\nWelcome to the **Acme Insurance** policy desk.\n\n"
        "- Renewals: confirm the due date and the premium shown in the record\n"
        "- Changes of address: take the new address, the firm sends the form",
        "ta": "## வரவேற்பு\n\n**அக்மி இன்சூரன்ஸ்** பாலிசி மையத்திற்கு வரவேற்கிறோம்.\n\n"
        "- புதுப்பித்தல்: தேதி மற்றும் பிரீமியத்தை உறுதிப்படுத்தவும்",
    },
    "Loans helpline": {
        "": "## Greeting\n\nThank you for calling **Kaveri Bank** loans.\n\n"
        "1. Verify the loan account's last four digits\n2. Never quote a rate: read the "
        "current rate card at <https://kaveri.example/rates>",
        "ta": "## வரவேற்பு\n\n**காவேரி வங்கி** கடன் பிரிவுக்கு அழைத்ததற்கு நன்றி.",
    },
}
ESCALATION = {"Claims helpline": "+918242220099", "Loans helpline": "+914522220099"}


def _workspace(admins: dict) -> None:
    """The demo lines' disposition codes, scripts in two languages and escalation numbers
    (only what is missing: a firm's own edits survive a second seed)."""
    for line in PhoneLine.objects.filter(number__in=[row[1] for row in LINES]):
        scripts.dispositions_seed(line)
        for language, body in SCRIPTS.get(line.name, {}).items():
            if not line.scripts.filter(language=language).exists():
                scripts.script_save(
                    actor=admins[line.firm.name], line=line, language=language, body=body
                )
        if line.name in ESCALATION and not line.escalation_number:
            line.escalation_number = ESCALATION[line.name]
            line.save(update_fields=["escalation_number"])


def _history_begins(requests: list[StaffingRequest]) -> None:
    """The demo's requests and their engagements started with its call history, not on the
    day of the seed (the services start them today; demo data only). Once: a re-seed finds
    them earlier already."""
    begins = timezone.localdate() - dt.timedelta(days=HISTORY_DAYS + 1)
    ids = [r.pk for r in requests]
    StaffingRequest.objects.filter(pk__in=ids, start_date__gt=begins).update(start_date=begins)
    Engagement.objects.filter(request_id__in=ids, starts_on__gt=begins).update(starts_on=begins)


def demo_api_key() -> str:
    """A fresh API key for Acme (the previous demo key is revoked): printed by seed_demo."""
    firm = ClientFirm.objects.get(name="Acme Insurance")
    admin = firm.members.filter(role="admin").first().user
    ApiKey.objects.filter(firm=firm, name="Demo CRM", revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    _key, raw = services.api_key_create(firm=firm, user=admin, name="Demo CRM")
    return raw
