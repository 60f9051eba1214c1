"""A real database outage on PostgreSQL: the test's connection goes through a TCP proxy it
starts itself and then cuts (the machine's PostgreSQL is never touched). While it is cut,
every webhook answers TwiML; once it is back, the retries finish the calls, billed once."""

import pytest
from django.db import connection

from bench.tcpproxy import TcpProxy
from billing.models import Transaction
from routing.models import Call
from tests.factories import PhoneLineFactory
from tests.routing.conftest import VOICE, routable_agent, twilio_post, twiml, voice_params

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def proxy():
    """The test's connection to PostgreSQL, through a proxy of its own."""
    settings = connection.settings_dict
    before = settings["HOST"], settings["PORT"]
    proxy = TcpProxy((settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432)))
    connection.close()
    settings["HOST"], settings["PORT"] = "127.0.0.1", str(proxy.port)
    yield proxy
    connection.close()
    settings["HOST"], settings["PORT"] = before
    proxy.close()


def test_webhooks_answer_twiml_through_an_outage_and_the_retries_finish_the_calls(
    client, acme, proxy
):
    line = PhoneLineFactory(firm=acme, wrap_up_seconds=30)
    sita = routable_agent(acme, "sita@example.com")
    action = twiml(twilio_post(client, VOICE, voice_params(line))).find("Dial").get("action")
    done = voice_params(line, DialCallStatus="completed", DialCallDuration="95")

    proxy.cut()
    answers = [
        twilio_post(client, VOICE, voice_params(line, "CA2")),  # a new caller
        twilio_post(client, action, done),  # the first call's end
    ]
    proxy.restore()

    retries = []
    for response in answers:
        answer = twiml(response)  # 200, text/xml: never Twilio's "application error"
        assert "sorry" in answer.find("Say").text
        retries.append(answer.find("Redirect").text)
    twiml(twilio_post(client, retries[1], voice_params(line, CallStatus="in-progress")))
    held = twiml(twilio_post(client, retries[0], voice_params(line, "CA2")))
    assert held.find("Pause") is not None  # waiting for Sita, in wrap-up
    first = Call.objects.get(provider_call_id="CA1")
    assert (first.status, first.talk_seconds, first.agent) == ("completed", 95, sita)
    assert Transaction.objects.filter(call=first).count() == 1
    assert Call.objects.get(provider_call_id="CA2").status == "queued"
