"""A cold transfer by the agent: on Twilio the live call is redirected through its REST API
(a local fake here) to the firm's other line or its escalation number; refused, nothing is
recorded. The generic API reports a `transfer` event, and hears `transfer` next."""

import json
import threading
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.urls import reverse

from agents.models import AgentProfile
from common.errors import ApplicationError, ConflictError
from common.models import AuditRecord
from routing.models import Call
from routing.services import call_transfer
from tests.factories import PhoneLineFactory
from tests.routing.conftest import api_event, api_route, routable_agent
from tests.routing.workspace_calls import complete, talking

pytestmark = pytest.mark.django_db
ESCALATION = "+918049990000"


class FakeTwilioCalls:
    """Twilio's REST API for updating calls: records each update, or refuses it."""

    def __init__(self):
        self.updates: list[tuple[str, dict]] = []
        self.refuse = False


@pytest.fixture
def twilio_calls(settings):
    fake = FakeTwilioCalls()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            sid = self.path.rsplit("/", 1)[-1].removesuffix(".json")
            fake.updates.append((sid, form))
            if fake.refuse:
                code, body = (
                    400,
                    {"code": 21220, "message": "Call is not in-progress.", "status": 400},
                )
            else:
                code, body = 200, {"sid": sid, "status": "in-progress"}
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{server.server_port}"
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def lines(acme):
    claims = PhoneLineFactory(firm=acme, name="Claims", escalation_number=ESCALATION)
    policy = PhoneLineFactory(firm=acme, name="Policy desk")
    return claims, policy


@pytest.fixture
def sita(acme, lines):
    return routable_agent(acme, "sita@example.com")


def test_twilio_redirects_the_live_call_to_the_firms_other_line(client, lines, sita, twilio_calls):
    claims, policy = lines
    call, _action = talking(client, claims)
    call_transfer(call_id=call.pk, agent=sita, to_line_id=policy.pk)

    ((sid, form),) = twilio_calls.updates
    assert sid == "CA1"
    dial = ET.fromstring(form["Twiml"]).find("Dial")
    assert dial.get("callerId") == str(claims.number)
    assert dial.find("Number").text == str(policy.number)
    call.refresh_from_db()
    assert (call.transfer_line, str(call.transferred_to)) == (policy, str(policy.number))
    assert call.status == "completed" and call.talk_seconds is not None  # billed up to now
    assert call.wrap_up == "pending"
    sita.refresh_from_db()
    assert sita.duty_status == AgentProfile.Duty.WRAP_UP
    assert AuditRecord.objects.get(action="call_transferred").actor == sita.user


def test_the_escalation_number_takes_a_transfer_too(client, lines, sita, twilio_calls):
    call, _ = talking(client, lines[0])
    call_transfer(call_id=call.pk, agent=sita, escalation=True)
    assert ET.fromstring(twilio_calls.updates[0][1]["Twiml"]).find("Dial/Number").text == ESCALATION
    call.refresh_from_db()
    assert (str(call.transferred_to), call.transfer_line) == (ESCALATION, None)


def test_twilio_refusing_records_nothing_and_the_caller_stays(client, lines, sita, twilio_calls):
    twilio_calls.refuse = True
    call, _ = talking(client, lines[0])
    with pytest.raises(ConflictError, match=r"Twilio refused the transfer.*still with you"):
        call_transfer(call_id=call.pk, agent=sita, to_line_id=lines[1].pk)
    call.refresh_from_db()
    assert (call.status, call.transferred_at) == ("in_progress", None)
    assert not AuditRecord.objects.filter(action="call_transferred").exists()


def test_the_interrupted_dials_late_report_changes_nothing(client, lines, sita, twilio_calls):
    call, action = talking(client, lines[0])
    call_transfer(call_id=call.pk, agent=sita, to_line_id=lines[1].pk)
    call.refresh_from_db()
    talked = call.talk_seconds
    reply = complete(client, lines[0], action, seconds=900)
    assert ET.fromstring(reply.content).find("Dial/Number").text == str(lines[1].number)
    call.refresh_from_db()
    assert call.talk_seconds == talked


def test_only_the_firms_own_lines_and_the_agents_own_call(
    client, acme, globex, lines, sita, twilio_calls
):
    theirs = PhoneLineFactory(firm=globex)
    call, _ = talking(client, lines[0])
    with pytest.raises(ApplicationError, match="other lines"):
        call_transfer(call_id=call.pk, agent=sita, to_line_id=theirs.pk)
    with pytest.raises(ApplicationError, match="other lines"):
        call_transfer(call_id=call.pk, agent=sita, to_line_id=lines[0].pk)  # its own line
    ravi = routable_agent(acme, "ravi@example.com")
    with pytest.raises(ApplicationError, match="No such call"):
        call_transfer(call_id=call.pk, agent=ravi, to_line_id=lines[1].pk)
    assert not twilio_calls.updates


def test_the_workspace_form_transfers(client, lines, sita, twilio_calls):
    client.force_login(sita.user)
    call, _ = talking(client, lines[0])
    page = client.get(reverse("agent_calls:workspace")).content.decode()
    assert "Transfer the caller" in page and "Policy desk" in page and ESCALATION in page
    response = client.post(reverse("agent_calls:transfer", args=[call.pk]), {"to": "escalation"})
    assert response.status_code == 302
    assert Call.objects.get(pk=call.pk).transferred_at is not None


def test_the_generic_apis_transfer_event_records_it(provider_api, lines, sita):
    claims, policy = lines
    api_route(provider_api, claims, "EX1")
    api_event(provider_api, "EX1", "answered")
    response = api_event(provider_api, "EX1", "transfer", to=str(policy.number))
    assert response.status_code == 200, response.content
    call = Call.objects.get(provider_call_id="EX1")
    assert (call.status, call.transfer_line) == ("completed", policy)
    assert response.json()["next_step"] == "transfer"
    assert response.json()["dial"] == str(policy.number)


def test_the_generic_api_refuses_a_number_that_is_not_the_firms(provider_api, lines, sita):
    api_route(provider_api, lines[0], "EX1")
    api_event(provider_api, "EX1", "answered")
    response = api_event(provider_api, "EX1", "transfer", to="+919812345678")
    assert response.status_code == 400
    assert "escalation number" in response.json()["message"]
    assert Call.objects.get(provider_call_id="EX1").transferred_at is None


def test_a_portal_transfer_of_a_generic_call_answers_transfer_next(provider_api, lines, sita):
    api_route(provider_api, lines[0], "EX1")
    api_event(provider_api, "EX1", "answered")
    call = Call.objects.get(provider_call_id="EX1")
    call_transfer(call_id=call.pk, agent=sita, escalation=True)
    answer = api_event(provider_api, "EX1", "completed", duration=40).json()
    assert (answer["next_step"], answer["dial"]) == ("transfer", ESCALATION)
