"""A contact not reached is tried again by the campaign's rule for the outcome, within its
maximum attempts in all and per day; the agent missing the call is not the contact's try."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from campaigns import events
from campaigns.models import Attempt, CampaignContact
from tests.campaigns.telephony import fresh, placed

pytestmark = pytest.mark.django_db
State = CampaignContact.State
RULES = {
    "retry_no_answer_minutes": 45,
    "retry_busy_minutes": 15,
    "retry_failed_minutes": 200,
    "retry_machine_minutes": 300,
}


@pytest.fixture
def line(outbound_line):
    return outbound_line


def ended(agent, outcome: str, **fields) -> Attempt:
    attempt = placed(agent, firm=agent._firm, line=agent._line, **fields)
    events.attempt_agent_answered(attempt_id=attempt.pk)
    events.attempt_dial_ended(attempt_id=attempt.pk, outcome=outcome)
    return fresh(attempt)


@pytest.fixture
def dialler(acme, line, meera):
    meera._firm, meera._line = acme, line
    return meera


def again(attempt: Attempt) -> Attempt:
    """The same contact due now, placed again by the same agent (who is free again)."""
    CampaignContact.objects.filter(pk=attempt.target_id).update(next_attempt_at=timezone.now())
    return placed(attempt.agent, attempt.campaign)


@pytest.mark.parametrize(
    "outcome, rule",
    [
        ("no_answer", "retry_no_answer_minutes"),
        ("busy", "retry_busy_minutes"),
        ("failed", "retry_failed_minutes"),
        ("machine", "retry_machine_minutes"),
    ],
)
def test_each_outcome_is_retried_after_its_own_minutes(dialler, outcome, rule):
    done = ended(dialler, outcome, max_attempts=3, max_attempts_per_day=3, **RULES)
    target = done.target
    assert (target.state, target.attempts, target.last_outcome) == (State.PENDING, 1, outcome)
    assert target.next_attempt_at - done.ended_at == dt.timedelta(minutes=RULES[rule])


@pytest.mark.parametrize("outcome", ["no_answer", "busy", "failed", "machine"])
def test_an_outcome_whose_rule_is_zero_is_not_retried(dialler, outcome):
    zero = dict.fromkeys(RULES, 0)
    assert ended(dialler, outcome, **zero).target.state == State.DONE


def test_the_last_of_the_maximum_attempts_is_not_retried(dialler):
    first = ended(dialler, "busy", max_attempts=2, max_attempts_per_day=5)
    second = again(first)
    events.attempt_agent_answered(attempt_id=second.pk)
    events.attempt_dial_ended(attempt_id=second.pk, outcome="busy")
    target = fresh(second).target
    assert (target.state, target.attempts) == (State.DONE, 2)


def test_a_day_that_had_its_attempts_retries_the_next_local_day(dialler):
    done = ended(dialler, "busy", max_attempts=5, max_attempts_per_day=1, retry_busy_minutes=15)
    target = done.target
    assert target.state == State.PENDING and target.attempts_today == 1
    india = zoneinfo.ZoneInfo("Asia/Kolkata")
    tomorrow = done.ended_at.astimezone(india).date() + dt.timedelta(days=1)
    opening = dt.datetime.combine(tomorrow, done.campaign.window_start, tzinfo=india)
    assert target.next_attempt_at == opening


def test_a_contact_due_again_on_a_capped_day_is_not_offered_until_the_next(dialler):
    from campaigns import dialer

    done = ended(dialler, "busy", max_attempts=5, max_attempts_per_day=1)
    CampaignContact.objects.filter(pk=done.target_id).update(next_attempt_at=timezone.now())
    assert dialer.target_next(agent=dialler) is None  # capped for today: moved to tomorrow
    assert fresh(done).target.next_attempt_at > timezone.now()


def test_the_agent_missing_the_call_is_a_strike_and_the_contact_keeps_their_attempts(dialler):
    attempt = placed(dialler, firm=dialler._firm, line=dialler._line, max_attempts=1)
    events.attempt_agent_leg_ended(attempt_id=attempt.pk)
    done = fresh(attempt)
    assert done.outcome == "agent_missed"
    assert (done.target.state, done.target.attempts) == (State.PENDING, 0)
    assert (done.target.next_attempt_at - done.ended_at).total_seconds() == 60
    dialler.refresh_from_db()
    assert dialler.no_answer_strikes == 1
    # With max_attempts 1 the contact may still be called: the miss was not their try.
    dialler.__class__.objects.filter(pk=dialler.pk).update(duty_status="available")
    assert again(done).status == Attempt.Status.AGENT


def test_an_attempt_lost_before_the_agent_answered_is_not_the_contacts_try(dialler):
    attempt = placed(dialler, firm=dialler._firm, line=dialler._line)
    events.attempt_lost(attempt_id=attempt.pk, reason="no word")
    done = fresh(attempt)
    assert done.outcome == "lost" and done.target.attempts == 0
    assert done.call.needs_review
    dialler.refresh_from_db()
    assert dialler.duty_status == "available" and dialler.no_answer_strikes == 0


def test_a_connected_call_is_done(dialler):
    attempt = placed(dialler, firm=dialler._firm, line=dialler._line)
    events.attempt_agent_answered(attempt_id=attempt.pk)
    events.attempt_contact_answered(attempt_id=attempt.pk)
    events.attempt_dial_ended(attempt_id=attempt.pk, outcome="connected", talk_seconds=30)
    assert fresh(attempt).target.state == State.DONE
