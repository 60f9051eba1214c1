"""The post-call survey: after the agent hangs up, a caller still on the line rates the call
1-5 on the keypad, in the call's language, on lines with the survey on; the first score is
the one kept, and the survey's seconds are never the agent's talk."""

import pytest
from django.urls import reverse

from clients.prompts import CATALOGUE, PromptKey
from routing.models import Call
from tests.factories import PhoneLineFactory
from tests.routing.conftest import (
    STATUS,
    VOICE,
    routable_agent,
    twilio_post,
    twilio_signature,
    twiml,
    voice_params,
)

pytestmark = pytest.mark.django_db
SURVEY = "/telephony/twilio/survey/"


def talk(client, line, sid="CA1", seconds="95"):
    """Dial in, the agent answers and talks `seconds`, then hangs up: the <Dial>'s report."""
    action = twiml(twilio_post(client, VOICE, voice_params(line, sid))).find("Dial").get("action")
    params = voice_params(line, sid, CallStatus="in-progress")
    params |= {"DialCallStatus": "completed", "DialCallDuration": seconds}
    return twiml(twilio_post(client, action, params)), Call.objects.get(provider_call_id=sid)


def press(client, call, digit, *, again=False):
    path = f"{SURVEY}?call={call.pk}" + ("&again=1" if again else "")
    params = voice_params(call.line, call.provider_call_id, CallStatus="in-progress")
    return twilio_post(client, path, params | ({"Digits": digit} if digit is not None else {}))


@pytest.fixture
def surveyed(acme):
    return PhoneLineFactory(firm=acme, survey_enabled=True, languages=["kn"])


def test_a_line_with_the_survey_on_asks_the_caller_in_their_language(client, acme, surveyed):
    routable_agent(acme, "sita@example.com", languages=("kn",))
    reply, call = talk(client, surveyed)
    gather = reply.find("Gather")
    assert gather.get("numDigits") == "1" and f"call={call.pk}" in gather.get("action")
    say = gather.find("Say")
    assert (say.text, say.get("language")) == (CATALOGUE["kn"][PromptKey.SURVEY], "kn-IN")
    assert reply.find("Hangup") is not None  # no keypress: the call ends, no score
    assert (call.status, call.talk_seconds) == ("completed", 95)


def test_a_line_without_the_survey_says_goodbye(client, acme, line):
    routable_agent(acme, "sita@example.com")
    reply, _call = talk(client, line)
    assert reply.find("Gather") is None and reply.find("Hangup") is not None


def test_a_caller_who_hung_up_first_gets_no_survey(client, acme, surveyed):
    routable_agent(acme, "sita@example.com", languages=("kn",))
    action = twiml(twilio_post(client, VOICE, voice_params(surveyed))).find("Dial").get("action")
    twilio_post(client, STATUS, voice_params(surveyed, CallStatus="completed"))
    params = voice_params(surveyed, CallStatus="completed")
    reply = twiml(twilio_post(client, action, params | {"DialCallStatus": "completed"}))
    assert reply.find("Gather") is None and reply.find("Hangup") is not None


def test_a_keypress_stores_the_score_and_thanks_the_caller(client, acme, surveyed):
    routable_agent(acme, "sita@example.com", languages=("kn",))
    _reply, call = talk(client, surveyed)
    thanks = twiml(press(client, call, "4"))
    assert thanks.find("Say").text == CATALOGUE["kn"][PromptKey.SURVEY_THANKS]
    assert thanks.find("Hangup") is not None
    call.refresh_from_db()
    assert call.survey_score == 4 and call.surveyed_at is not None
    assert call.talk_seconds == 95  # the agent's leg: the survey is not talk


def test_a_retried_or_second_keypress_never_changes_the_score(client, acme, surveyed):
    routable_agent(acme, "sita@example.com", languages=("kn",))
    _reply, call = talk(client, surveyed)
    first = press(client, call, "2")
    assert press(client, call, "2").content == first.content  # Twilio's retry: replayed
    assert twiml(press(client, call, "5")).find("Hangup") is not None  # thanked, not stored
    call.refresh_from_db()
    assert call.survey_score == 2


def test_another_key_is_asked_about_once_more_then_the_caller_is_thanked(client, acme, surveyed):
    routable_agent(acme, "sita@example.com", languages=("kn",))
    _reply, call = talk(client, surveyed)
    again = twiml(press(client, call, "9")).find("Gather")
    assert "again=1" in again.get("action")
    thanks = twiml(press(client, call, "0", again=True))
    assert thanks.find("Gather") is None and thanks.find("Hangup") is not None
    assert twiml(press(client, call, "")).find("Gather") is None  # nothing pressed: goodbye
    call.refresh_from_db()
    assert call.survey_score is None


def test_the_survey_webhook_requires_twilios_signature(client, acme, surveyed):
    routable_agent(acme, "sita@example.com", languages=("kn",))
    _reply, call = talk(client, surveyed)
    path = f"{SURVEY}?call={call.pk}"
    params = voice_params(surveyed, Digits="5")
    wrong = twilio_signature(path, params | {"Digits": "1"})
    assert twilio_post(client, path, params, signature=wrong).status_code == 403
    assert client.post(path, params).status_code == 403
    call.refresh_from_db()
    assert call.survey_score is None


def test_a_survey_for_another_calls_sid_is_refused(client, acme, surveyed):
    routable_agent(acme, "sita@example.com", languages=("kn",))
    _reply, call = talk(client, surveyed)
    params = voice_params(surveyed, "CA-other", Digits="5")
    assert twilio_post(client, f"{SURVEY}?call={call.pk}", params).status_code == 400


def test_the_callers_hang_up_after_the_survey_leaves_the_talk_as_the_agents_leg(
    client, acme, surveyed
):
    routable_agent(acme, "sita@example.com", languages=("kn",))
    _reply, call = talk(client, surveyed)
    press(client, call, "5")
    twilio_post(client, STATUS, voice_params(surveyed, CallStatus="completed", CallDuration="140"))
    call.refresh_from_db()
    assert (call.status, call.talk_seconds, call.survey_score) == ("completed", 95, 5)


def test_the_firm_sees_the_score_on_the_call_and_another_firm_does_not(
    client, acme, surveyed, carol, dave
):
    routable_agent(acme, "sita@example.com", languages=("kn",))
    _reply, call = talk(client, surveyed)
    press(client, call, "4")
    client.force_login(carol)
    page = client.get(reverse("calls:detail", args=[call.pk])).content.decode()
    assert "rated 4 of 5" in page
    client.force_login(dave)
    assert client.get(reverse("calls:detail", args=[call.pk])).status_code == 404
