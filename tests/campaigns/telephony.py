"""Helpers for the outbound telephony tests: a local fake of Twilio's REST API that also takes
`calls.create`, signed posts to the outbound webhooks, and a placed preview attempt.

Its fixtures (`fake_twilio`, `outbound_line`, `meera`) are offered to every
campaigns test by tests/campaigns/conftest.py.
"""

import itertools
import json
import threading
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from campaigns import dialer, provider
from campaigns.models import Attempt
from tests.campaigns.dialing import running_campaign
from tests.factories import PhoneLineFactory
from tests.routing.conftest import FakeTwilioRest, routable_agent, twilio_post

TOKEN = "test-twilio-auth-token"
BASE = "/telephony/outbound/twilio/"
CONTACT_NUMBER = "+919845012345"
_sids = itertools.count(1)


class FakeTwilioOutbound(FakeTwilioRest):
    """Routing's fake, which also places calls: `created` lists each `calls.create`'s form
    (To, From, Url, StatusCallback, StatusCallbackEvent as lists of values)."""

    def __init__(self):
        super().__init__()
        self.created: list[dict[str, list[str]]] = []

    def create(self, form: dict[str, list[str]]) -> tuple[int, dict]:
        self.asked.append("create")
        if self.down:
            return 500, {"code": 20500, "message": "Internal Server Error", "status": 500}
        self.created.append(form)
        sid = f"CAagent{next(_sids)}"
        return 201, {"sid": sid, "status": "queued", "to": form["To"][0], "from": form["From"][0]}


@pytest.fixture
def fake_twilio(settings):
    """Twilio's REST API on 127.0.0.1, with the agency's credentials and public URL set."""
    fake = FakeTwilioOutbound()

    class Handler(BaseHTTPRequestHandler):
        def _send(self, code: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urlsplit(self.path)
            self._send(*fake.answer(url.path, parse_qs(url.query)))

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            self._send(*fake.create(parse_qs(self.rfile.read(length).decode())))

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{server.server_port}"
    settings.TWILIO_PUBLIC_BASE_URL = "http://testserver"
    settings.CAMPAIGNS_PROVIDER = "twilio"
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def outbound_line(acme):
    """acme's line the outbound tests call from: 20 s of ringing, no wrap-up."""
    return PhoneLineFactory(firm=acme, ring_timeout_seconds=20, wrap_up_seconds=0)


@pytest.fixture
def meera(acme, outbound_line):
    """An agent engaged on acme's lines (outbound_line among them), free to dial now."""
    return routable_agent(acme, "meera@example.com")


def placed(agent, campaign=None, *, firm=None, line=None, numbers=(CONTACT_NUMBER,), **fields):
    """A preview attempt placed by `agent` (on a new campaign of `line` unless given)."""
    if campaign is None:
        campaign = running_campaign(firm, line, agents=[agent], numbers=numbers, **fields)
    target = dialer.target_next(agent=agent)
    assert target is not None, "nothing to preview"
    attempt = dialer.attempt_place(agent=agent, target_id=target.pk)
    assert attempt is not None and attempt.status == Attempt.Status.AGENT
    return attempt


def dialled(agent, **kwargs) -> Attempt:
    """Placed and rung at the (fake) Twilio: the dial task's work, run here (a test's
    transaction never commits, so no on-commit task runs)."""
    attempt = placed(agent, **kwargs)
    provider.attempt_dial(attempt_id=attempt.pk)
    attempt.refresh_from_db()
    return attempt


def agent_params(attempt: Attempt, **extra) -> dict:
    """What Twilio posts about the agent's leg (the call it placed to the agent)."""
    return {
        "CallSid": attempt.provider_call_id,
        "AccountSid": "AC" + "0" * 32,
        "From": str(attempt.campaign.line.number),
        "To": str(attempt.agent.phone),
        "Direction": "outbound-api",
        "CallStatus": "in-progress",
    } | extra


def contact_params(attempt: Attempt, sid: str = "CAcontact1", **extra) -> dict:
    """What Twilio posts about the contact's leg (dialled by the agent leg's <Dial>)."""
    return {
        "CallSid": sid,
        "ParentCallSid": attempt.provider_call_id,
        "AccountSid": "AC" + "0" * 32,
        "From": str(attempt.campaign.line.number),
        "To": str(attempt.number),
        "Direction": "outbound-dial",
        "CallStatus": "in-progress",
    } | extra


def post(client, step: str, attempt: Attempt, params: dict):
    return twilio_post(client, f"{BASE}{step}/?attempt={attempt.pk}", params)


def xml(response) -> ET.Element:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)


def agent_answers(client, attempt: Attempt) -> ET.Element:
    return xml(post(client, "agent", attempt, agent_params(attempt)))


def contact_answers(client, attempt: Attempt, **extra) -> ET.Element:
    return xml(post(client, "contact", attempt, contact_params(attempt, **extra)))


def dial_reports(client, attempt: Attempt, status: str, duration: int | None = None, **extra):
    params = agent_params(attempt, DialCallStatus=status, **extra)
    if duration is not None:
        params["DialCallDuration"] = str(duration)
    return xml(post(client, "dial-status", attempt, params))


def agent_leg_reports(client, attempt: Attempt, status: str):
    response = post(client, "status", attempt, agent_params(attempt, CallStatus=status))
    assert response.status_code == 204, response.content
    return response


def fresh(attempt: Attempt) -> Attempt:
    return Attempt.objects.select_related("call", "target", "agent").get(pk=attempt.pk)
