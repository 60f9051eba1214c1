"""Twilio's reports of an outbound attempt come in any order, repeated or late: the attempt
ends once, with the same outcome, and nothing changes once it has moved on."""

import itertools

import pytest
from django.dispatch import receiver

from agents.models import AgentProfile
from campaigns.models import Attempt, CampaignContact
from campaigns.signals import attempt_ended
from routing.models import Call
from tests.campaigns.telephony import (
    agent_answers,
    agent_leg_reports,
    contact_answers,
    dial_reports,
    dialled,
    fresh,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(outbound_line):
    return outbound_line


@pytest.fixture
def priced():
    """Every attempt_ended sent (billing's cue): an attempt is priced once or never."""
    sent: list[int] = []

    @receiver(attempt_ended, weak=False, dispatch_uid="test_outbound_priced")
    def count(sender, *, attempt, **kwargs):
        sent.append(attempt.pk)

    yield sent
    attempt_ended.disconnect(dispatch_uid="test_outbound_priced")


def steps(client, attempt, *, talk=75):
    """What Twilio sends after the agent answered, for a call that connected."""
    return {
        "contact": lambda: contact_answers(client, attempt),
        "dial": lambda: dial_reports(client, attempt, "completed", talk),
        "agent_leg": lambda: agent_leg_reports(client, attempt, "completed"),
    }


@pytest.mark.parametrize("order", list(itertools.permutations(["contact", "dial", "agent_leg"])))
def test_a_connected_call_ends_once_connected_whatever_the_order_of_its_reports(
    client, acme, line, meera, fake_twilio, priced, order
):
    attempt = dialled(meera, firm=acme, line=line)
    agent_answers(client, attempt)
    run = steps(client, attempt)
    for step in order:
        run[step]()
    for step in order:  # every report again: Twilio's retries get the stored answer
        run[step]()
    done = fresh(attempt)
    assert (done.status, done.outcome, done.talk_seconds) == ("ended", "connected", 75)
    assert done.call.status == Call.Status.COMPLETED and done.call.talk_seconds == 75
    assert done.target.state == CampaignContact.State.DONE
    assert priced == [attempt.pk]
    meera.refresh_from_db()
    # The line has no wrap-up of its own: an outbound call gets the campaigns' (its
    # disposition decides retries and do-not-call), once, whatever the order.
    assert meera.duty_status == AgentProfile.Duty.WRAP_UP
    assert done.call.wrap_up == Call.WrapUp.PENDING


def test_a_late_report_with_another_duration_changes_nothing(
    client, acme, line, meera, fake_twilio, priced
):
    attempt = dialled(meera, firm=acme, line=line)
    agent_answers(client, attempt)
    contact_answers(client, attempt)
    dial_reports(client, attempt, "completed", 75)
    dial_reports(client, attempt, "completed", 900)  # a new step, not a retry: still ignored
    dial_reports(client, attempt, "no-answer")
    assert fresh(attempt).talk_seconds == 75 and priced == [attempt.pk]


@pytest.mark.parametrize(
    "status, outcome", [("no-answer", "no_answer"), ("busy", "busy"), ("failed", "failed")]
)
@pytest.mark.parametrize("agent_leg_first", [False, True])
def test_a_contact_who_did_not_answer_ends_once_whichever_report_comes_first(
    client, acme, line, meera, fake_twilio, priced, status, outcome, agent_leg_first
):
    attempt = dialled(meera, firm=acme, line=line)
    agent_answers(client, attempt)
    if agent_leg_first:
        agent_leg_reports(client, attempt, "completed")
        assert fresh(attempt).status == Attempt.Status.CONTACT  # noted, waiting for the <Dial>
        assert fresh(attempt).call.caller_left_at is not None
    dial_reports(client, attempt, status)
    agent_leg_reports(client, attempt, "completed")
    contact_answers(client, attempt)  # a contact's answer after the end: hung up on
    done = fresh(attempt)
    assert (done.status, done.outcome) == ("ended", outcome)
    assert done.call.status == Call.Status.FAILED
    assert priced == [attempt.pk]


def test_a_contact_answering_after_the_attempt_ended_is_hung_up_on(
    client, acme, line, meera, fake_twilio
):
    attempt = dialled(meera, firm=acme, line=line)
    agent_answers(client, attempt)
    dial_reports(client, attempt, "no-answer")
    assert contact_answers(client, attempt).find("Hangup") is not None
    assert fresh(attempt).outcome == "no_answer"


def test_the_dial_report_before_the_contacts_answer_still_connects_with_its_duration(
    client, acme, line, meera, fake_twilio, priced
):
    attempt = dialled(meera, firm=acme, line=line)
    agent_answers(client, attempt)
    dial_reports(client, attempt, "completed", 40)  # the contact's webhook was lost
    done = fresh(attempt)
    assert (done.outcome, done.talk_seconds) == ("connected", 40)
    assert done.connected_at is not None and done.connected_at <= done.ended_at


@pytest.mark.parametrize("status", ["no-answer", "busy", "failed", "canceled", "completed"])
def test_the_agent_not_answering_is_a_strike_and_not_the_contacts_attempt(
    client, acme, line, meera, fake_twilio, priced, status
):
    attempt = dialled(meera, firm=acme, line=line)
    agent_leg_reports(client, attempt, status)
    agent_leg_reports(client, attempt, status)  # repeated
    done = fresh(attempt)
    assert (done.status, done.outcome) == ("ended", "agent_missed")
    assert done.target.state == CampaignContact.State.PENDING
    assert done.target.attempts == 0 and done.target.attempts_today == 0
    meera.refresh_from_db()
    assert meera.no_answer_strikes == 1
    assert priced == []  # the contact was never called: nothing to price
    # The agent's answer arriving late: a goodbye, no <Dial>.
    answer = agent_answers(client, attempt)
    assert answer.find("Dial") is None and answer.find("Hangup") is not None
    assert fresh(attempt).outcome == "agent_missed"


def test_the_agents_webhook_before_the_rest_answer_came_back_adopts_the_call_sid(
    client, acme, line, meera, fake_twilio
):
    """Twilio may ask the agent's webhook before our calls.create has its answer: the
    attempt is still 'dialling' and takes the CallSid from the signed request."""
    from campaigns import events
    from tests.campaigns.telephony import placed

    attempt = placed(meera, firm=acme, line=line)
    assert events.attempt_dial_claim(attempt_id=attempt.pk)
    attempt.provider_call_id = "CAearly"
    assert agent_answers(client, attempt).find("Dial") is not None
    assert fresh(attempt).provider_call_id == "CAearly"
    events.attempt_dialled(attempt_id=attempt.pk, provider_call_id="CAearly")  # REST's answer
    assert fresh(attempt).provider_call_id == "CAearly"
    assert Call.objects.get(pk=attempt.call_id).provider_call_id == "CAearly"
