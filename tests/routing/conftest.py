"""Helpers for the routing tests: agents who can take a call now, and signed Twilio requests.

`routable_agent` makes an agent routing can pick: verified (tests.factories.verified_agent),
available round the clock, on duty and idle, with a phone, engaged with the firm.
"""

import datetime as dt
import itertools
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.conf import settings
from django.db.models import F
from django.utils import timezone
from twilio.request_validator import RequestValidator

from agents.models import AgentProfile, AvailabilityWindow
from agents.services import availability_set
from clients.models import Application, Engagement, StaffingRequest
from tests.factories import PhoneLineFactory, StaffingRequestFactory, verified_agent

MANGALURU = (12.91723, 74.85603)
MADURAI = (9.919, 78.11953)  # ~470 km from Mangaluru
LANDLINE_MANGALURU = "+918242440000"  # the offline geocoder: "Mangalore, Karnataka"
MOBILE = "+919812345678"  # the offline geocoder: "India" only
TWILIO_TOKEN = "test-twilio-auth-token"
VOICE = "/telephony/twilio/voice/"
STATUS = "/telephony/twilio/status/"

_phones = itertools.count(1)


def routing_now() -> dt.datetime:
    """Now, stepped past 23:58-23:59 in India: the line's 00:00-23:59 hours and the agents'
    daily 00:00-23:59 windows leave the last minute of the day out."""
    now = timezone.now()
    local = timezone.localtime(now)
    return now + dt.timedelta(minutes=3) if (local.hour, local.minute) >= (23, 58) else now


@pytest.fixture
def at():
    """The moment the routing tests route at (see routing_now)."""
    return routing_now()


@pytest.fixture
def line(acme):
    """One of acme's lines, with the factory's defaults (a test module may override it)."""
    return PhoneLineFactory(firm=acme)


def round_the_clock_request(firm, **fields) -> StaffingRequest:
    """A request of `firm` worked every day, 00:00-23:59 in India (see routing_now)."""
    worked = {"days": "0123456", "starts_at": dt.time(0), "ends_at": dt.time(23, 59)}
    return StaffingRequestFactory(firm=firm, **({"headcount": 1000} | worked | fields))


def engage(agent: AgentProfile, firm, *, status: str = "active", lines=None) -> Engagement:
    """An engagement with `firm` on `lines` (default: every line the firm has now), under a
    request worked round the clock (built directly: the marketplace's region rules don't
    matter)."""
    request = StaffingRequest.objects.filter(firm=firm).first() or round_the_clock_request(firm)
    application = Application.objects.create(request=request, agent=agent, status="approved")
    today = timezone.localdate()
    engagement = Engagement.objects.create(
        firm=firm,
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
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=90),
    )
    engagement.lines.set(firm.lines.all() if lines is None else lines)
    return engagement


def routable_agent(
    firm,
    email: str,
    *,
    lat: float = MANGALURU[0],
    lon: float = MANGALURU[1],
    languages: tuple[str, ...] = ("en",),
    domain: str = "insurance",
    idle_since: dt.datetime | None = None,
    **profile,
) -> AgentProfile:
    """A verified agent at (lat, lon), available at every hour, idle since `idle_since`."""
    agent = verified_agent(
        email,
        languages=[(code, 4) for code in languages],
        domain=domain,
        latitude=lat,
        longitude=lon,
        phone=f"+91984500{next(_phones):04d}",
        **profile,
    )
    availability_set(agent=agent, windows=[(d, dt.time(0), dt.time(23, 59)) for d in range(7)])
    # 00:00-23:59 local each day leaves 23:59 out; stretch each row one minute to close it.
    AvailabilityWindow.objects.filter(agent=agent).update(utc_end_minute=F("utc_end_minute") + 1)
    AgentProfile.objects.filter(pk=agent.pk).update(
        duty_status=AgentProfile.Duty.AVAILABLE,
        duty_changed_at=idle_since or timezone.now() - dt.timedelta(minutes=5),
    )
    if firm is not None:
        engage(agent, firm)
    agent.refresh_from_db()
    return agent


@pytest.fixture(autouse=True)
def twilio_token(settings):
    settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    return TWILIO_TOKEN


def twilio_signature(path: str, params: dict) -> str:
    url = "http://testserver" + path
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(url, params)


def twilio_post(client, path: str, params: dict, *, signature: str | None = None):
    """POST `params` to `path` (query string included) signed as Twilio signs it."""
    if path.startswith("http://testserver"):
        path = path.removeprefix("http://testserver")  # a TwiML action URL, followed as is
    signature = twilio_signature(path, params) if signature is None else signature
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


def voice_params(line, sid: str = "CA1", caller: str = LANDLINE_MANGALURU, **extra) -> dict:
    """What Twilio posts when `caller` dials `line` (no FromCity: Indian numbers have none)."""
    params = {
        "CallSid": sid,
        "AccountSid": "AC1",
        "From": caller,
        "To": str(line.number),
        "CallStatus": "ringing",
        "FromCity": "",
        "FromState": "",
        "FromCountry": "IN",
    }
    return params | extra


def twiml(response) -> ET.Element:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)


PROVIDER_KEY = "exotel-test-key"
CALLS_API = "/api/v1/calls/"


@pytest.fixture
def provider_api(client, settings):
    """The call API as an agency provider ("exotel") calls it: with its key, on any line."""
    settings.ROUTING_PROVIDER_KEYS = {"exotel": PROVIDER_KEY}
    client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {PROVIDER_KEY}"
    return client


def api_route(client, line, call_id: str = "EX1", **extra):
    """Ask the call API where a call from a Mangaluru landline to `line` goes."""
    body = {"call_id": call_id, "from": LANDLINE_MANGALURU, "to": str(line.number)} | extra
    return client.post(CALLS_API, body, content_type="application/json")


def api_event(client, call_id: str, event: str, **extra):
    body = {"event": event} | extra
    return client.post(f"{CALLS_API}{call_id}/events/", body, content_type="application/json")
