import factory
from allauth.account.models import EmailAddress

from accounts.models import User
from agents.models import AgentProfile

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    role = User.Role.AGENT
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class AgentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgentProfile

    user = factory.SubFactory(UserFactory, role=User.Role.AGENT)
    full_name = factory.LazyAttribute(lambda o: o.user.name)
    city = "Mangaluru"
    state = "Karnataka"
    latitude = 12.91723
    longitude = 74.85603
    # The tests' figures were written for a 10% withholding (a round rate to check sums with);
    # a new agent's default is section 194C's 1% (agents.models.AgentProfile.tds_rate).
    tds_rate = 10


# --- clients ---------------------------------------------------------------------------
# Imported late so the agents factories above stay usable without the clients app.
import datetime as dt  # noqa: E402
from decimal import Decimal  # noqa: E402

from django.utils import timezone  # noqa: E402

from clients.models import (  # noqa: E402
    Application,
    ClientFirm,
    Engagement,
    FirmMember,
    LineLanguage,
    PhoneLine,
    RequestLanguage,
    RequestRegion,
    StaffingRequest,
)

MANGALURU = {
    "geoname_id": 1263780,
    "name": "Mangaluru, Karnataka, IN",
    "latitude": 12.91723,
    "longitude": 74.85603,
}


class ClientFirmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientFirm

    name = factory.Sequence(lambda n: f"Firm {n}")
    engagement_type = ClientFirm.EngagementType.PARTIAL
    currency = "INR"
    contact_name = "Contact Person"
    contact_email = factory.Sequence(lambda n: f"contact{n}@firm.example")


class FirmMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FirmMember

    firm = factory.SubFactory(ClientFirmFactory)
    user = factory.SubFactory(UserFactory, role=User.Role.CLIENT)
    role = FirmMember.Role.ADMIN


class PhoneLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PhoneLine
        skip_postgeneration_save = True

    firm = factory.SubFactory(ClientFirmFactory)
    number = factory.Sequence(lambda n: f"+9180{4000000 + n:08d}")
    name = factory.Sequence(lambda n: f"Line {n}")
    domain = "insurance"
    region_geoname_id = MANGALURU["geoname_id"]
    region_name = MANGALURU["name"]
    region_latitude = MANGALURU["latitude"]
    region_longitude = MANGALURU["longitude"]
    business_days = "0123456"
    opens_at = dt.time(0, 0)
    closes_at = dt.time(23, 59)

    @factory.post_generation
    def languages(obj, create, extracted, **kwargs):
        if create:
            for digit, code in enumerate(extracted or ["en"], start=1):
                LineLanguage.objects.create(
                    line=obj,
                    language=code,
                    menu_digit=digit if extracted and len(extracted) > 1 else None,
                )


class StaffingRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffingRequest
        skip_postgeneration_save = True

    firm = factory.SubFactory(ClientFirmFactory)
    title = factory.Sequence(lambda n: f"Claims desk {n}")
    domain = "insurance"
    starts_at = dt.time(9, 0)
    ends_at = dt.time(18, 0)
    start_date = factory.LazyFunction(timezone.localdate)
    end_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=90))
    calls_per_hour = Decimal("200")
    aht_seconds = 180
    agents_needed = 20
    headcount = 2
    rate_unit = "call"
    rate = Decimal("40.00")
    minimum_per_call = Decimal("0")
    currency = "INR"

    @factory.post_generation
    def languages(obj, create, extracted, **kwargs):
        if create:
            for code in extracted or ["en"]:
                RequestLanguage.objects.create(request=obj, language=code)

    @factory.post_generation
    def regions(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            RequestRegion.objects.create(request=obj, **MANGALURU)


def verified_agent(email: str, *, languages=(("en", 4),), domain="insurance", level=4, **extra):
    """A verified, compliant agent in Mangaluru with the given languages and skill."""
    from agents.models import AgentLanguage, AgentSkill

    profile = AgentProfileFactory(user__email=email, status=AgentProfile.Status.VERIFIED, **extra)
    for code, proficiency in languages:
        AgentLanguage.objects.create(agent=profile, language=code, proficiency=proficiency)
    AgentSkill.objects.create(agent=profile, domain=domain, level=level, years=10)
    return profile


# --- campaigns: outbound attempts, for billing's tests (issue 17) --------------------------
import itertools  # noqa: E402

_outbound_seq = itertools.count(1)


def engage_on_request(agent, request, *, status="active", starts_on=None, ends_on=None):
    """An engagement of `agent` on `request` (approved, a call rate card), from the request's
    first to its last day unless told: built directly, the marketplace's rules don't matter."""
    application = Application.objects.create(request=request, agent=agent, status="approved")
    return Engagement.objects.create(
        firm=request.firm,
        agent=agent,
        request=request,
        application=application,
        rate_unit="call",
        client_rate=Decimal("40.00"),
        agent_rate=Decimal("28.00"),
        minimum_per_call=0,
        agent_minimum_per_call=0,
        currency="INR",
        status=status,
        starts_on=starts_on or request.start_date,
        ends_on=ends_on or request.end_date,
    )


def outbound_attempt_factory(
    *,
    engagement,
    outcome: str = "connected",
    talk_seconds: int | None = 90,
    ended_at: dt.datetime | None = None,
    campaign=None,
    status: str = "ended",
):
    """A placed attempt by `engagement`'s agent at a new contact of its firm, ended with
    `outcome` (connected: `talk_seconds` of talk), with its outbound `routing.Call` — or, with
    outcome "refused", an attempt the consent check refused (no call). Written directly, not
    through the dialer; the campaign (new unless given) calls from the engagement's line."""
    from campaigns.models import Attempt, Campaign, CampaignAgent, CampaignContact
    from clients.models import Contact
    from routing.models import Call

    n = next(_outbound_seq)
    firm, agent = engagement.firm, engagement.agent
    line = engagement.lines.first() or PhoneLineFactory(firm=firm)
    today = timezone.localdate()
    if campaign is None:
        campaign = Campaign.objects.create(
            firm=firm,
            name=f"Renewals {n}",
            purpose=Campaign.Purpose.SERVICE,
            category="1",
            line=line,
            status=Campaign.Status.RUNNING,
            starts_on=today - dt.timedelta(days=400),
            ends_on=today + dt.timedelta(days=90),
            window_start=dt.time(9),
            window_end=dt.time(21),
        )
    CampaignAgent.objects.get_or_create(
        campaign=campaign, agent=agent, defaults={"engagement": engagement}
    )
    contact = Contact.objects.create(firm=firm, name=f"Contact {n}", language="en")
    number = f"+91984500{n:04d}"
    target = CampaignContact.objects.create(
        campaign=campaign, contact=contact, next_attempt_at=timezone.now(), state="done"
    )
    ended_at = ended_at or timezone.now()
    refused = outcome == Attempt.Outcome.REFUSED
    connected = outcome in (Attempt.Outcome.CONNECTED, Attempt.Outcome.OPTED_OUT)
    talk = (talk_seconds or 0) if connected else None
    connected_at = ended_at - dt.timedelta(seconds=talk or 0) if connected else None
    call = None
    if not refused:
        call = Call.objects.create(
            direction=Call.Direction.OUTBOUND,
            provider="twilio",
            provider_call_id=f"CA-outbound-{n}",
            line=line,
            firm=firm,
            caller=number,
            language="en",
            domain=line.domain,
            status=Call.Status.COMPLETED if connected else Call.Status.FAILED,
            agent=agent,
            engagement=engagement,
            offered_at=ended_at - dt.timedelta(seconds=(talk or 0) + 20),
            answered_at=connected_at,
            ended_at=ended_at,
            talk_seconds=talk,
        )
    return Attempt.objects.create(
        campaign=campaign,
        target=target,
        contact=contact,
        firm=firm,
        agent=agent,
        engagement=engagement,
        number=number,
        call=call,
        status=Attempt.Status.REFUSED if refused else status,
        outcome=outcome,
        refused_reason="On the national registry" if refused else "",
        checked_at=ended_at - dt.timedelta(seconds=(talk or 0) + 30),
        placed_at=None if refused else ended_at - dt.timedelta(seconds=(talk or 0) + 20),
        agent_answered_at=None if refused else ended_at - dt.timedelta(seconds=(talk or 0) + 15),
        connected_at=connected_at,
        ended_at=None if refused else ended_at,
        talk_seconds=talk,
    )


# --- Outbound campaigns (issue 17) ---------------------------------------------------------


class CampaignFactory(factory.django.DjangoModelFactory):
    """A draft promotional campaign of banking offers on a new line of its firm, calling
    from today for a month, 09:00-21:00 in the contact's time."""

    class Meta:
        model = "campaigns.Campaign"

    firm = factory.SubFactory(ClientFirmFactory)
    line = factory.LazyAttribute(lambda o: PhoneLineFactory(firm=o.firm))
    name = factory.Sequence(lambda n: f"Campaign {n}")
    purpose = "promotional"
    category = "1"
    starts_on = factory.LazyFunction(timezone.localdate)
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
    window_start = dt.time(9, 0)
    window_end = dt.time(21, 0)
