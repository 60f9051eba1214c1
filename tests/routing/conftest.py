"""Helpers for the routing tests: agents who can take a call now, and signed Twilio requests.

`routable_agent` makes an agent routing can pick: verified (tests.factories.verified_agent),
available round the clock, on duty and idle, with a phone, engaged with the firm.
"""

import datetime as dt
import itertools
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.db.models import F
from django.utils import timezone
from twilio.request_validator import RequestValidator

from agents.models import AgentProfile, AvailabilityWindow
from agents.services import availability_set
from clients.models import Engagement, StaffingRequest
from tests.factories import (
    PhoneLineFactory,
    StaffingRequestFactory,
    engage_on_request,
    verified_agent,
)

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
    today = timezone.localdate()
    engagement = engage_on_request(
        agent,
        request,
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


class FakeTwilioRest:
    """A local stand-in for Twilio's REST API: the calls it knows, by CallSid.

    `call(sid, status, duration=…, legs=[(status, duration), …])` sets what a fetch of the
    caller's leg and a list of the legs it dialled answer; `down = True` answers 500.
    `asked` lists the paths requested.
    """

    def __init__(self):
        self.calls: dict[str, dict] = {}
        self.legs: dict[str, list[dict]] = {}
        self.asked: list[str] = []
        self.down = False

    def call(self, sid: str, status: str, *, duration: int = 0, legs=()) -> None:
        ended = "Tue, 01 Dec 2026 10:00:00 +0000" if status != "in-progress" else None
        self.calls[sid] = {"sid": sid, "status": status, "duration": str(duration)}
        self.calls[sid] |= {"end_time": ended, "start_time": "Tue, 01 Dec 2026 09:50:00 +0000"}
        self.legs[sid] = [
            {
                "sid": f"{sid}-leg{n}",
                "parent_call_sid": sid,
                "status": leg_status,
                "duration": str(leg_duration),
                "start_time": f"Tue, 01 Dec 2026 09:5{n}:00 +0000",
            }
            for n, (leg_status, leg_duration) in enumerate(legs)
        ]

    def answer(self, path: str, query: dict) -> tuple[int, dict]:
        self.asked.append(path)
        if self.down:
            return 500, {"code": 20500, "message": "Internal Server Error", "status": 500}
        name = path.rsplit("/", 1)[-1].removesuffix(".json")
        if name == "Calls":
            legs = self.legs.get(query.get("ParentCallSid", [""])[0], [])
            return 200, {"calls": legs, "next_page_uri": None, "page": 0, "page_size": 50}
        if name in self.calls:
            return 200, self.calls[name]
        return 404, {
            "code": 20404,
            "message": "The requested resource was not found",
            "status": 404,
        }


@pytest.fixture
def twilio_rest(settings):
    """Twilio's REST API faked on 127.0.0.1 (an http.server thread), with credentials set."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs, urlsplit

    fake = FakeTwilioRest()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            url = urlsplit(self.path)
            code, body = fake.answer(url.path, parse_qs(url.query))
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{server.server_port}"
    yield fake
    server.shutdown()
    server.server_close()
