"""Issue 13: a firm never learns an agent's personal phone number.

The attacker is acme with its own API key: it posts fake calls to its own line and reads
every answer, then every page, API list, CSV and email a firm gets. The agent's distinctive
number may appear in none of them, in E.164, national or bare-digit form. The agency's own
provider keys (its telephony) still get the number to dial.
"""

import phonenumbers
import pytest

from agents.models import AgentProfile
from clients.services import api_key_create
from routing.models import Call
from tests.billing.factories import last_month, ledger_row, settle
from tests.routing.conftest import api_event, api_route, routable_agent

pytestmark = pytest.mark.django_db

SECRET_NUMBER = "+919845077123"
BRIDGE = "+918046000000"


def _forms(number: str) -> list[str]:
    parsed = phonenumbers.parse(number)
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return [
        number,
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        national,
        national.replace(" ", ""),
        str(parsed.national_number),
    ]


def _leaks(body: str) -> list[str]:
    """The forms of the number found in `body`; its digits also with separators squeezed out
    (spaces, dashes, dots, brackets, non-breaking spaces: "98450-77123", "(0)98450 77123")."""
    found = [form for form in _forms(SECRET_NUMBER) if form in body]
    squeezed = "".join(c for c in body if c not in " -.()\u00a0\u202f\t\n")
    digits = str(phonenumbers.parse(SECRET_NUMBER).national_number)
    return found + (["digits"] if digits in squeezed else [])


@pytest.fixture
def sita(acme, line, settings):
    settings.ROUTING_BRIDGE_NUMBER = BRIDGE
    agent = routable_agent(acme, "sita@example.com")
    AgentProfile.objects.filter(pk=agent.pk).update(phone=SECRET_NUMBER)
    agent.refresh_from_db()
    return agent


def test_the_scan_finds_every_form_of_the_number():
    assert _leaks("call 098450 77123 now") == ["098450 77123", "digits"]
    assert _leaks("+91 98450 77123") == ["+91 98450 77123", "digits"]
    assert _leaks("ring 98450-77123") == ["digits"]
    assert _leaks("+919845077124 and 0824 2440000") == []


def test_a_firm_key_is_told_to_dial_the_bridge_with_a_code_never_the_agent(
    client, acme, carol, line, sita
):
    _key, raw = api_key_create(firm=acme, user=carol, name="PBX")
    client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {raw}"
    routed = api_route(client, line)
    assert routed.status_code == 201, routed.content
    body = routed.json()
    assert (body["next_step"], body["dial"], body["agent"]["id"]) == ("dial", BRIDGE, sita.pk)
    assert body["bridge_code"].startswith(f"{Call.objects.get().pk}*1*")
    assert _leaks(routed.content.decode()) == []


def test_the_agencys_provider_key_still_gets_the_agents_number(provider_api, line, sita):
    body = api_route(provider_api, line).json()
    assert (body["dial"], body["bridge_code"]) == (SECRET_NUMBER, None)


def test_no_firm_facing_answer_carries_the_agents_number(
    client, acme, carol, line, sita, mailoutbox
):
    _key, raw = api_key_create(firm=acme, user=carol, name="PBX")
    api = {"HTTP_AUTHORIZATION": f"Api-Key {raw}"}
    client.defaults.update(api)
    bodies = {"route": api_route(client, line)}
    bodies["answered"] = api_event(client, "EX1", "answered", attempt=1)
    bodies["completed"] = api_event(client, "EX1", "completed", duration=60, attempt=1)
    assert Call.objects.get().status == "completed"
    for path in ("/api/v1/engagements/", "/api/v1/lines/", "/api/v1/staffing-requests/"):
        bodies[path] = client.get(path)
    del client.defaults["HTTP_AUTHORIZATION"]
    ledger_row(sita, acme, day=last_month())
    settle("firms", last_month())
    invoice = acme.invoices.get()
    client.force_login(carol)
    call = Call.objects.filter(provider=f"firm-{acme.pk}").get()
    pages = [
        "/client/",
        "/client/settings/",
        "/client/requests/",
        f"/client/requests/{sita.engagements.get().request_id}/",
        "/client/engagements/",
        "/client/lines/",
        "/client/calls/",
        f"/client/calls/{call.pk}/",
        "/client/invoices/",
        f"/client/invoices/{invoice.pk}/",
        f"/client/invoices/{invoice.pk}/download/",
    ]
    for path in pages:
        bodies[path] = client.get(path)
    for name, answer in bodies.items():
        assert answer.status_code in {200, 201}, (name, answer.status_code)
        content = (
            b"".join(answer.streaming_content) if answer.streaming else answer.content
        ).decode()
        assert _leaks(content) == [], name
    firm_addresses = {m.user.email for m in acme.members.select_related("user")}
    for mail in mailoutbox:
        if firm_addresses & set(mail.to):
            assert _leaks(mail.subject + mail.body) == [], mail.subject
