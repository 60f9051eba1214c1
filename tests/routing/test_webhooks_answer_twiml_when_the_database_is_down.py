"""A webhook whose database is gone answers TwiML (an apology and a retry of the same step),
never an HTML 500, which Twilio plays to the caller as "an application error has occurred"."""

import contextlib
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends import utils

from billing.models import Transaction
from clients.prompts import CATALOGUE
from routing.models import Call
from tests.routing.conftest import VOICE, routable_agent, twilio_post, twiml, voice_params

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def database_down(monkeypatch, error=OperationalError):
    def refuse(*args, **kwargs):
        raise error("server closed the connection unexpectedly")

    with monkeypatch.context() as patched:
        patched.setattr(utils.CursorWrapper, "execute", refuse)
        patched.setattr(utils.CursorWrapper, "executemany", refuse)
        yield


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_caller_hears_an_apology_and_twilio_retries_the_step(client, line, monkeypatch, error):
    with database_down(monkeypatch, error):
        response = twilio_post(client, VOICE, voice_params(line))
    answer = twiml(response)  # 200, text/xml
    assert answer.find("Say").text == CATALOGUE["en"]["apology_retry"]
    retry = urlsplit(answer.find("Redirect").text)
    assert (retry.path, parse_qs(retry.query)["retry"]) == (VOICE, ["1"])
    assert answer.find("Redirect").get("method") == "POST"

    call = twiml(twilio_post(client, answer.find("Redirect").text, voice_params(line)))
    assert call.find("Say") is None or "sorry" not in call.find("Say").text
    assert Call.objects.filter(provider_call_id="CA1").exists()  # back: the call goes on


def test_after_the_last_try_the_caller_hears_goodbye(client, line, monkeypatch, settings):
    url = VOICE
    with database_down(monkeypatch):
        for _try in range(settings.ROUTING_WEBHOOK_RETRIES):
            url = twiml(twilio_post(client, url, voice_params(line))).find("Redirect").text
        last = twiml(twilio_post(client, url, voice_params(line)))
    assert last.find("Redirect") is None and last.find("Hangup") is not None
    assert last.find("Say").text == CATALOGUE["en"]["apology"]


def test_a_dial_report_lost_to_the_outage_comes_back_with_the_retry(
    client, acme, line, monkeypatch
):
    sita = routable_agent(acme, "sita@example.com")
    action = twiml(twilio_post(client, VOICE, voice_params(line))).find("Dial").get("action")
    done = voice_params(line, DialCallStatus="completed", DialCallDuration="95")
    with database_down(monkeypatch):
        retry = twiml(twilio_post(client, action, done)).find("Redirect").text
    assert "DialCallStatus=completed" in retry and "DialCallDuration=95" in retry
    # A <Redirect> posts the call's usual parameters only: the report rides in the URL.
    twiml(twilio_post(client, retry, voice_params(line, CallStatus="in-progress")))
    call = Call.objects.get()
    assert (call.status, call.talk_seconds, call.agent) == ("completed", 95, sita)
    assert Transaction.objects.filter(call=call).count() == 1


def test_when_the_database_still_answers_the_apology_is_in_the_callers_language(
    client, acme, monkeypatch
):
    from tests.factories import PhoneLineFactory

    kannada = PhoneLineFactory(firm=acme, languages=["kn"])
    twilio_post(client, VOICE, voice_params(kannada))  # the call is known, in Kannada
    with monkeypatch.context() as patched:
        # A failure that is not the database's (the broker, a bug): the call can be read.
        patched.setattr("routing.services.call_next_step", _broker_down)
        answer = twiml(twilio_post(client, VOICE + "?wait=2", voice_params(kannada)))
    say = answer.find("Say")
    assert (say.text, say.get("language")) == (CATALOGUE["kn"]["apology_retry"], "kn-IN")


def _broker_down(**kwargs):
    raise ConnectionRefusedError("the broker is down")
