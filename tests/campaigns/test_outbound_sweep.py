"""The campaigns sweep settles what no report will tell: it asks Twilio (a local fake) about an
attempt whose callbacks never came, closes by a bound what nobody can be asked about, fails
what was never dialled, and gives back preview holds that ran out."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from campaigns import dialer, events, sweep
from campaigns.models import Attempt, CampaignContact
from routing.models import Call
from tests.campaigns.dialing import running_campaign
from tests.campaigns.telephony import (
    agent_answers,
    agent_leg_reports,
    contact_answers,
    dialled,
    fresh,
    placed,
)

pytestmark = pytest.mark.django_db
State = CampaignContact.State


@pytest.fixture
def line(outbound_line):
    return outbound_line


def past_the_ring(attempt: Attempt, since: dt.datetime | None = None) -> dt.datetime:
    margin = settings.ROUTING_RESERVATION_MARGIN_SECONDS
    ring = attempt.campaign.line.ring_timeout_seconds
    return (since or attempt.placed_at) + dt.timedelta(seconds=ring + margin + 1)


def duty(agent) -> tuple[str, int]:
    agent.refresh_from_db()
    return agent.duty_status, agent.no_answer_strikes


def test_an_agent_whose_phone_rang_out_unreported_is_a_missed_call(acme, line, meera, fake_twilio):
    attempt = dialled(meera, firm=acme, line=line)
    fake_twilio.call(attempt.provider_call_id, "no-answer")
    assert sweep.campaigns_sweep(at=past_the_ring(attempt))["attempts_reconciled"] == 1
    assert fresh(attempt).outcome == "agent_missed"
    assert duty(meera) == ("available", 1)
    assert fake_twilio.asked  # it asked rather than guessed


def test_a_call_whose_answers_were_all_lost_goes_on_as_a_conversation(
    acme, line, meera, fake_twilio
):
    attempt = dialled(meera, firm=acme, line=line)
    fake_twilio.call(attempt.provider_call_id, "in-progress", legs=[("in-progress", 0)])
    sweep.campaigns_sweep(at=past_the_ring(attempt))
    assert fresh(attempt).status == Attempt.Status.CONNECTED
    assert fresh(attempt).call.status == Call.Status.IN_PROGRESS
    assert duty(meera) == ("on_call", 0)  # never freed mid-call


def test_a_call_that_ended_unreported_is_closed_with_twilios_duration(
    acme, line, meera, fake_twilio
):
    attempt = dialled(meera, firm=acme, line=line)
    fake_twilio.call(attempt.provider_call_id, "completed", duration=95, legs=[("completed", 80)])
    sweep.campaigns_sweep(at=past_the_ring(attempt))
    done = fresh(attempt)
    assert (done.outcome, done.talk_seconds) == ("connected", 80)
    assert done.call.status == Call.Status.COMPLETED
    assert done.target.state == State.DONE


def test_a_contact_who_never_answered_is_retried_by_the_no_answer_rule(
    client, acme, line, meera, fake_twilio
):
    attempt = dialled(meera, firm=acme, line=line, retry_no_answer_minutes=45)
    agent_answers(client, attempt)
    fake_twilio.call(attempt.provider_call_id, "completed", duration=30, legs=[("no-answer", 0)])
    at = past_the_ring(attempt, since=fresh(attempt).agent_answered_at)
    sweep.campaigns_sweep(at=at)
    done = fresh(attempt)
    assert done.outcome == "no_answer" and done.target.state == State.PENDING
    assert done.target.next_attempt_at - done.ended_at == dt.timedelta(minutes=45)


def test_when_twilio_cannot_be_asked_the_ringing_attempt_is_lost_without_a_strike(
    acme, line, meera, fake_twilio
):
    attempt = dialled(meera, firm=acme, line=line)
    fake_twilio.down = True
    sweep.campaigns_sweep(at=past_the_ring(attempt))
    done = fresh(attempt)
    assert done.outcome == "lost" and done.call.needs_review
    assert done.target.attempts == 0  # the contact's phone never rang
    assert duty(meera) == ("available", 0)


def test_a_long_conversation_is_asked_about_now_and_then_and_closed_when_it_ended(
    client, acme, line, meera, fake_twilio
):
    attempt = dialled(meera, firm=acme, line=line)
    agent_answers(client, attempt)
    contact_answers(client, attempt)
    fake_twilio.call(attempt.provider_call_id, "in-progress", legs=[("in-progress", 0)])
    check = dt.timedelta(seconds=settings.ROUTING_TALK_CHECK_SECONDS + 1)
    first = fresh(attempt).connected_at + check
    sweep.campaigns_sweep(at=first)
    asked = len(fake_twilio.asked)
    assert asked and fresh(attempt).status == Attempt.Status.CONNECTED
    sweep.campaigns_sweep(at=first + dt.timedelta(seconds=10))  # asked a moment ago
    assert len(fake_twilio.asked) == asked
    fake_twilio.call(attempt.provider_call_id, "completed", legs=[("completed", 1300)])
    sweep.campaigns_sweep(at=first + check)
    assert (fresh(attempt).outcome, fresh(attempt).talk_seconds) == ("connected", 1300)


def test_with_nobody_to_ask_a_conversation_is_closed_only_past_the_longest_call(
    client, acme, line, meera, fake_twilio, settings
):
    attempt = dialled(meera, firm=acme, line=line)
    agent_answers(client, attempt)
    contact_answers(client, attempt)
    settings.TWILIO_ACCOUNT_SID = ""  # the embedded demo: nobody to ask
    connected_at = fresh(attempt).connected_at
    check = dt.timedelta(seconds=settings.ROUTING_TALK_CHECK_SECONDS + 1)
    sweep.campaigns_sweep(at=connected_at + check)
    assert fresh(attempt).status == Attempt.Status.CONNECTED
    bound = dt.timedelta(seconds=settings.ROUTING_TALK_BOUND_SECONDS + 1)
    sweep.campaigns_sweep(at=connected_at + bound)
    assert fresh(attempt).outcome == "lost" and fresh(attempt).target.attempts == 1


def test_an_agent_who_left_with_no_report_of_the_contacts_leg_is_settled_from_twilio(
    client, acme, line, meera, fake_twilio
):
    attempt = dialled(meera, firm=acme, line=line)
    agent_answers(client, attempt)
    contact_answers(client, attempt)
    agent_leg_reports(client, attempt, "completed")  # the <Dial>'s report never comes
    left = fresh(attempt).call.caller_left_at
    fake_twilio.call(attempt.provider_call_id, "completed", legs=[("completed", 50)])
    margin = dt.timedelta(seconds=settings.ROUTING_RESERVATION_MARGIN_SECONDS + 1)
    sweep.campaigns_sweep(at=left + margin)
    assert (fresh(attempt).outcome, fresh(attempt).talk_seconds) == ("connected", 50)


@pytest.mark.parametrize("claimed", [False, True])
def test_an_attempt_never_dialled_fails_on_our_side_and_the_contact_is_tried_again(
    acme, line, meera, claimed
):
    """The broker lost the dial task (or it died after claiming the attempt)."""
    attempt = placed(meera, firm=acme, line=line)
    if claimed:
        assert events.attempt_dial_claim(attempt_id=attempt.pk)
    bound = dt.timedelta(seconds=settings.CAMPAIGNS_DIAL_START_SECONDS + 1)
    assert sweep.campaigns_sweep(at=attempt.placed_at + bound)["never_dialled"] == 1
    done = fresh(attempt)
    assert (done.outcome, done.target.state, done.target.attempts) == ("failed", "pending", 0)
    assert duty(meera) == ("available", 0)


def test_an_attempt_not_yet_due_is_left_alone(acme, line, meera, fake_twilio):
    attempt = dialled(meera, firm=acme, line=line)
    assert sweep.campaigns_sweep(at=attempt.placed_at + dt.timedelta(seconds=5)) == {
        "attempts_reconciled": 0,
        "never_dialled": 0,
        "holds_released": 0,
        "targets_repaired": 0,
        "campaigns_started": 0,
        "campaigns_completed": 0,
        "imports_requeued": 0,
        "imports_failed": 0,
    }
    assert fake_twilio.asked == ["create"] and fresh(attempt).status == Attempt.Status.AGENT


def test_a_preview_hold_that_ran_out_goes_back_to_everyone(acme, line, meera):
    running_campaign(acme, line, agents=[meera], numbers=["+919845012399"])
    target = dialer.target_next(agent=meera)
    assert target.state == State.PREVIEW
    assert sweep.campaigns_sweep(at=target.held_until - dt.timedelta(seconds=1))[
        "holds_released"
    ] == (0)
    assert sweep.campaigns_sweep(at=target.held_until + dt.timedelta(seconds=1))[
        "holds_released"
    ] == (1)
    target.refresh_from_db()
    assert (target.state, target.agent, target.held_until) == (State.PENDING, None, None)


def test_a_target_left_dialing_with_no_live_attempt_goes_back_to_pending(acme, line, meera):
    campaign = running_campaign(acme, line, agents=[meera], numbers=["+919845012398"])
    CampaignContact.objects.filter(campaign=campaign).update(state=State.DIALING, agent=meera)
    later = timezone.now() + dt.timedelta(seconds=settings.CAMPAIGNS_DIAL_START_SECONDS + 1)
    assert sweep.campaigns_sweep(at=later)["targets_repaired"] == 1
    assert campaign.targets.get().state == State.PENDING


def test_the_webhooks_run_the_tick_at_most_every_two_seconds_without_a_beat(
    client, acme, line, meera, fake_twilio, monkeypatch, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    ticks = []
    monkeypatch.setattr(sweep, "campaigns_tick", lambda **kw: ticks.append(1))
    attempt = dialled(meera, firm=acme, line=line)
    agent_answers(client, attempt)
    contact_answers(client, attempt)
    assert ticks == [1]  # three webhooks within 2 s: one tick


def test_a_leg_twilio_says_is_still_ringing_is_asked_about_again_only_after_the_margin(
    acme, line, meera, fake_twilio
):
    attempt = dialled(meera, firm=acme, line=line)
    fake_twilio.call(attempt.provider_call_id, "ringing")
    first = past_the_ring(attempt)
    sweep.campaigns_sweep(at=first)
    asked = len(fake_twilio.asked)
    sweep.campaigns_sweep(at=first + dt.timedelta(seconds=2))  # the next tick
    assert len(fake_twilio.asked) == asked
    assert fresh(attempt).status == Attempt.Status.AGENT
    margin = dt.timedelta(seconds=settings.ROUTING_RESERVATION_MARGIN_SECONDS + 1)
    fake_twilio.call(attempt.provider_call_id, "no-answer")
    sweep.campaigns_sweep(at=first + margin)
    assert fresh(attempt).outcome == "agent_missed"


def test_the_beat_task_sweeps_then_dials_the_free_progressive_agents(acme, line, meera):
    from campaigns.tasks import dial_tick

    running_campaign(acme, line, agents=[meera], numbers=["+919845012397"], mode="progressive")
    ticked = dial_tick()
    assert ticked["dialled"] == 1 and ticked["holds_released"] == 0
    assert Attempt.objects.get().agent_id == meera.pk
