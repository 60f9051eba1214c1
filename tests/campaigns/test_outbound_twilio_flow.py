"""An outbound attempt through Twilio: the agent's phone is rung from the line's number over
REST (a local fake), the signed webhooks bridge the contact showing the line's number, and
neither side's personal number reaches the other."""

import xml.etree.ElementTree as ET

import pytest
from django.db import DatabaseError

from agents.models import AgentProfile
from campaigns import events, provider
from campaigns.models import Attempt, Campaign, CampaignContact, SuppressionEntry
from routing.models import Call
from tests.campaigns.telephony import (
    BASE,
    CONTACT_NUMBER,
    agent_answers,
    agent_params,
    contact_answers,
    contact_params,
    dial_reports,
    dialled,
    fresh,
    placed,
    post,
    xml,
)
from tests.routing.conftest import twilio_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(outbound_line):
    return outbound_line


def test_the_agents_phone_is_rung_from_the_lines_number_with_our_callbacks(
    acme, line, meera, fake_twilio
):
    attempt = dialled(meera, firm=acme, line=line)
    [form] = fake_twilio.created
    assert form["To"] == [str(meera.phone)]
    assert form["From"] == [str(line.number)]  # the agent's phone shows the line
    assert form["Url"] == [f"http://testserver{BASE}agent/?attempt={attempt.pk}"]
    assert form["StatusCallback"] == [f"http://testserver{BASE}status/?attempt={attempt.pk}"]
    assert sorted(form["StatusCallbackEvent"]) == ["answered", "completed"]
    assert form["Timeout"] == ["20"]
    assert CONTACT_NUMBER not in str(form)  # the contact is dialled only once the agent answers
    assert attempt.provider_call_id.startswith("CAagent")
    assert Call.objects.get(pk=attempt.call_id).provider_call_id == attempt.provider_call_id


def test_the_agent_hears_who_and_the_contact_is_dialled_showing_the_lines_number(
    client, acme, line, meera, fake_twilio
):
    attempt = dialled(meera, firm=acme, line=line)
    attempt.contact.name = "Asha Rao"
    attempt.contact.save(update_fields=["name"])
    answer = agent_answers(client, attempt)
    say, dial = answer.find("Say"), answer.find("Dial")
    assert say.text == "Connecting you to Asha."
    assert (say.get("language"), say.get("voice")) == ("en-IN", "Google.en-IN-Standard-A")
    assert dial.get("callerId") == str(line.number)
    assert dial.get("action") == f"http://testserver{BASE}dial-status/?attempt={attempt.pk}"
    assert dial.get("timeout") == "20"
    number = dial.find("Number")
    assert number.text == CONTACT_NUMBER
    assert number.get("url") == f"http://testserver{BASE}contact/?attempt={attempt.pk}"
    assert str(meera.phone) not in ET.tostring(answer, encoding="unicode")
    assert fresh(attempt).status == Attempt.Status.CONTACT
    meera.refresh_from_db()
    assert meera.duty_status == AgentProfile.Duty.ON_CALL


def test_a_service_call_is_bridged_at_once_and_ends_connected_with_twilios_duration(
    client, acme, line, meera, fake_twilio
):
    attempt = dialled(meera, firm=acme, line=line)
    agent_answers(client, attempt)
    whisper = contact_answers(client, attempt)
    assert list(whisper) == []  # an empty answer: Twilio bridges the two legs
    assert fresh(attempt).status == Attempt.Status.CONNECTED
    assert fresh(attempt).contact_call_id == "CAcontact1"
    assert fresh(attempt).call.status == Call.Status.IN_PROGRESS

    assert dial_reports(client, attempt, "completed", 75).find("Hangup") is not None
    done = fresh(attempt)
    assert (done.status, done.outcome, done.talk_seconds) == ("ended", "connected", 75)
    assert done.call.status == Call.Status.COMPLETED and done.call.talk_seconds == 75
    assert done.target.state == CampaignContact.State.DONE


def test_a_promotional_contact_is_offered_the_opt_out_in_their_language(
    client, acme, line, meera, fake_twilio
):
    attempt = dialled(meera, firm=acme, line=line)
    # Promotional from here on (placing one needs the registry and 09:00-21:00 local time,
    # which the consent tests cover): the webhooks read the campaign's purpose as it is now.
    Campaign.objects.filter(pk=attempt.campaign_id).update(purpose="promotional")
    attempt.contact.language = "kn"
    attempt.contact.save(update_fields=["language"])
    agent_answers(client, attempt)
    gather = contact_answers(client, attempt).find("Gather")
    assert gather.get("numDigits") == "1" and gather.get("timeout") == "4"
    assert gather.get("action") == f"http://testserver{BASE}opt-out/?attempt={attempt.pk}"
    say = gather.find("Say")
    assert say.text == "ಈ ಕರೆಗಳನ್ನು ನಿಲ್ಲಿಸಲು 9 ಒತ್ತಿ."
    assert (say.get("language"), say.get("voice")) == ("kn-IN", "Google.kn-IN-Standard-A")


def test_pressing_9_puts_the_number_on_the_firms_do_not_call_list_and_ends_the_call(
    client, acme, line, meera, fake_twilio
):
    attempt = dialled(meera, firm=acme, line=line)
    Campaign.objects.filter(pk=attempt.campaign_id).update(purpose="promotional")
    agent_answers(client, attempt)
    contact_answers(client, attempt)
    answer = xml(post(client, "opt-out", attempt, contact_params(attempt, Digits="9")))
    assert answer.find("Say").text == "You will not be called again."
    assert answer.find("Hangup") is not None
    done = fresh(attempt)
    assert (done.status, done.outcome) == ("ended", "opted_out")
    assert done.target.state == CampaignContact.State.REFUSED
    entry = SuppressionEntry.objects.get(firm=acme, number=CONTACT_NUMBER)
    assert entry.source == "opt_out"
    # The <Dial>'s report comes after: nothing changes, the agent's leg is hung up.
    assert dial_reports(client, attempt, "completed", 3).find("Hangup") is not None
    assert fresh(attempt).outcome == "opted_out"


def test_another_key_after_the_opt_out_offer_goes_on_to_the_agent(
    client, acme, line, meera, fake_twilio
):
    attempt = dialled(meera, firm=acme, line=line)
    Campaign.objects.filter(pk=attempt.campaign_id).update(purpose="promotional")
    agent_answers(client, attempt)
    contact_answers(client, attempt)
    answer = xml(post(client, "opt-out", attempt, contact_params(attempt, Digits="1")))
    assert list(answer) == []
    assert fresh(attempt).status == Attempt.Status.CONNECTED


def test_an_agent_answering_an_attempt_that_is_over_hears_a_goodbye(
    client, acme, line, meera, fake_twilio
):
    attempt = dialled(meera, firm=acme, line=line)
    events.attempt_lost(attempt_id=attempt.pk, reason="closed by the sweep")
    answer = agent_answers(client, attempt)
    assert answer.find("Dial") is None and answer.find("Hangup") is not None
    assert answer.find("Say").get("voice") == "Google.en-IN-Standard-A"


def test_a_machine_answering_for_the_contact_is_retried_by_the_machine_rule(
    client, acme, line, meera, fake_twilio
):
    attempt = dialled(meera, firm=acme, line=line, retry_machine_minutes=90)
    agent_answers(client, attempt)
    dial_reports(client, attempt, "completed", 12, AnsweredBy="machine_end_beep")
    done = fresh(attempt)
    assert done.outcome == Attempt.Outcome.MACHINE
    assert done.target.state == CampaignContact.State.PENDING
    assert (done.target.next_attempt_at - done.ended_at).total_seconds() == 90 * 60


def test_a_wrong_signature_is_refused_and_changes_nothing(client, acme, line, meera, fake_twilio):
    attempt = dialled(meera, firm=acme, line=line)
    path = f"{BASE}agent/?attempt={attempt.pk}"
    assert twilio_post(client, path, agent_params(attempt), signature="bad").status_code == 403
    assert fresh(attempt).status == Attempt.Status.AGENT


@pytest.mark.parametrize(
    "query, change",
    [
        ("attempt=abc", {}),
        ("attempt=999999", {}),
        ("", {}),
        ("attempt={pk}", {"CallSid": "CAsomeoneelse"}),
    ],
)
def test_a_request_about_no_attempt_of_ours_is_a_400(
    client, acme, line, meera, fake_twilio, query, change
):
    attempt = dialled(meera, firm=acme, line=line)
    path = f"{BASE}agent/" + (f"?{query.format(pk=attempt.pk)}" if query else "")
    response = twilio_post(client, path, agent_params(attempt) | change)
    assert response.status_code == 400
    assert fresh(attempt).status == Attempt.Status.AGENT


@pytest.mark.parametrize("change", [{"DialCallDuration": "ninety"}, {"DialCallStatus": "odd"}])
def test_a_dial_report_twilio_would_never_send_is_a_400(
    client, acme, line, meera, fake_twilio, change
):
    attempt = dialled(meera, firm=acme, line=line)
    agent_answers(client, attempt)
    params = agent_params(attempt, DialCallStatus="completed", DialCallDuration="5") | change
    assert post(client, "dial-status", attempt, params).status_code == 400
    assert fresh(attempt).status == Attempt.Status.CONTACT


def test_a_failure_on_our_side_is_answered_with_twiml_not_a_500(
    client, acme, line, meera, fake_twilio, monkeypatch
):
    attempt = dialled(meera, firm=acme, line=line)

    def down(**kwargs):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(events, "attempt_agent_answered", down)
    answer = agent_answers(client, attempt)
    assert answer.find("Redirect") is not None  # sorry, then the same step again


def test_when_twilio_refuses_the_dial_the_agent_is_freed_without_a_strike_and_the_contact_waits(
    acme, line, meera, fake_twilio
):
    fake_twilio.down = True
    attempt = dialled(meera, firm=acme, line=line)
    assert (attempt.status, attempt.outcome) == ("ended", "failed")
    meera.refresh_from_db()
    assert meera.duty_status == AgentProfile.Duty.AVAILABLE and meera.no_answer_strikes == 0
    target = CampaignContact.objects.get(pk=attempt.target_id)
    assert target.state == CampaignContact.State.PENDING
    assert target.attempts == 0 and target.attempts_today == 0  # not the contact's attempt
    assert 0 < (target.next_attempt_at - attempt.ended_at).total_seconds() <= 300


def test_without_a_twilio_account_the_attempt_fails_on_our_side(acme, line, meera, settings):
    settings.TWILIO_ACCOUNT_SID = ""
    settings.CAMPAIGNS_PROVIDER = "twilio"
    attempt = placed(meera, firm=acme, line=line)
    provider.attempt_dial(attempt_id=attempt.pk)
    done = fresh(attempt)
    assert (done.status, done.outcome) == ("ended", "failed")
    assert done.call.status == Call.Status.FAILED
    assert done.target.attempts == 0


def test_the_dial_task_run_twice_rings_the_agent_once(acme, line, meera, fake_twilio):
    attempt = dialled(meera, firm=acme, line=line)
    provider.attempt_dial(attempt_id=attempt.pk)
    assert len(fake_twilio.created) == 1
    assert fresh(attempt).provider_call_id == attempt.provider_call_id


def test_while_twilio_refuses_dials_progressive_dialing_waits_instead_of_failing_every_tick(
    acme, line, meera, fake_twilio
):
    from campaigns import dialer
    from tests.campaigns.dialing import running_campaign

    fake_twilio.down = True
    dialled(meera, firm=acme, line=line)  # a preview dial Twilio refused
    running_campaign(acme, line, agents=[meera], numbers=["+919845012396"], mode="progressive")
    assert dialer.progressive_dial() == 0
    assert Attempt.objects.count() == 1
