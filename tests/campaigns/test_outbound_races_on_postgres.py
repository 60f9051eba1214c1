"""The dialer under real concurrency on PostgreSQL: threads with their own connections, and
only the dialer's locks (SKIP LOCKED claims, the campaign re-read under a share lock) and the
partial unique indexes (one live attempt per contact, per agent) keep it right."""

import threading

import pytest
from django.db.models import Count
from django.utils import timezone

from campaigns import dialer, events, lifecycle
from campaigns.models import Attempt, Campaign, CampaignContact, ListMember
from tests.campaigns.dialing import running_campaign
from tests.factories import PhoneLineFactory
from tests.routing.concurrency import agents_engaged, in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
PROGRESSIVE = Campaign.Mode.PROGRESSIVE
State = CampaignContact.State
CONTACTS = 100  # the progressive race's list


@pytest.fixture(autouse=True)
def _api_provider(settings):
    # Nothing is sent anywhere: the generic API's provider would ask for the dials.
    settings.CAMPAIGNS_PROVIDER = "api"


def numbers(count: int, start: int = 0) -> list[str]:
    return [f"+91984{start + n:07d}" for n in range(count)]


def dialling(acme, agents: int, contacts: int, **fields):
    line = PhoneLineFactory(firm=acme, wrap_up_seconds=0)
    crew = agents_engaged(acme, agents, at=timezone.now())
    campaign = running_campaign(acme, line, agents=crew, numbers=numbers(contacts), **fields)
    return campaign, crew


def no_errors(outcomes: list) -> list:
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert not errors, errors[:3]
    return outcomes


def live_per_contact() -> set[int]:
    rows = (
        Attempt.objects.filter(status__in=Attempt.LIVE)
        .values("contact")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    return set(rows)


def test_agents_claiming_at_once_from_one_campaign_never_get_the_same_contact(acme):
    _campaign, crew = dialling(acme, 30, 100)
    shown = no_errors(
        in_threads([lambda a=a: dialer.target_next(agent=a) for a in crew], together=30)
    )
    targets = [t.pk for t in shown if t is not None]
    assert len(targets) == len(set(targets)) == 30  # one each, none twice
    held = CampaignContact.objects.filter(state=State.PREVIEW)
    assert held.count() == 30 and len(set(held.values_list("agent", flat=True))) == 30

    placed = no_errors(
        in_threads(
            [
                lambda a=a, t=t: dialer.attempt_place(agent=a, target_id=t.pk)
                for a, t in zip(crew, shown, strict=True)
            ],
            together=30,
        )
    )
    contacts = [a.contact_id for a in placed]
    assert len(contacts) == len(set(contacts)) == 30
    assert live_per_contact() == {1}


def test_a_contact_on_two_campaigns_is_never_dialled_twice_at_once(acme, monkeypatch):
    # Ending the attempts between rounds must not dial the freed agents again from here.
    monkeypatch.setattr(events, "agent_freed_on_commit", lambda agent_id: None)
    first, crew = dialling(acme, 24, 120, mode=PROGRESSIVE)
    second = running_campaign(acme, first.line, agents=crew[12:], mode=PROGRESSIVE)
    first.assignments.filter(agent__in=crew[12:]).delete()
    shared = second.lists.get()
    for target in first.targets.all():
        ListMember.objects.create(contact_list=shared, contact_id=target.contact_id)
        CampaignContact.objects.create(
            campaign=second, contact_id=target.contact_id, next_attempt_at=timezone.now()
        )
    for _ in range(3):  # a few rounds of the same race
        outcomes = no_errors(
            in_threads(
                [lambda a=a: dialer.agent_dial_next(agent_id=a.pk) for a in crew], together=24
            )
        )
        # Both campaigns dial; a contact taken by one is passed over by the other's claim.
        assert sum(o is not None for o in outcomes) >= 12
        assert live_per_contact() == {1}
        for attempt in Attempt.objects.filter(status__in=Attempt.LIVE):
            events.attempt_dial_ended(attempt_id=attempt.pk, outcome="busy")
    # A contact the other campaign was calling went back to pending, never left "dialing".
    stuck = CampaignContact.objects.filter(state=State.DIALING)
    assert not stuck.exists()


def test_no_attempt_is_created_later_than_5_s_after_a_pause_commits(acme, carol):
    campaign, crew = dialling(acme, 16, 400, mode=PROGRESSIVE, retry_busy_minutes=600)
    paused = threading.Event()
    moment = {}
    rounds_after_pause = 5

    def dial_and_hang_up(agent_id: int):
        after = 0
        for _ in range(200):  # bounded, whatever happens
            live = Attempt.objects.filter(agent_id=agent_id, status__in=Attempt.LIVE).first()
            attempt = live or dialer.agent_dial_next(agent_id=agent_id)
            if attempt is not None:
                events.attempt_dial_ended(attempt_id=attempt.pk, outcome="busy")
            if paused.is_set():
                after += 1
                if after >= rounds_after_pause:
                    return after
        return after

    def pause():
        for _ in range(100_000):  # until 40 attempts exist (a count, not a clock)
            if Attempt.objects.count() >= 40:
                break
        lifecycle.campaign_pause(actor=carol, campaign=campaign)  # committed on return
        moment["paused"] = timezone.now()
        paused.set()

    jobs = [lambda a=a: dial_and_hang_up(a.pk) for a in crew] + [pause]
    outcomes = no_errors(in_threads(jobs, together=len(jobs)))
    assert all(o == rounds_after_pause for o in outcomes[:-1])  # each dialled on after it
    latest = Attempt.objects.order_by("-created_at").values_list("created_at", flat=True)[0]
    assert (latest - moment["paused"]).total_seconds() <= 5
    # The share lock makes it exact: the pause waited for the placements in flight.
    assert latest <= moment["paused"]
    assert Attempt.objects.count() >= 40


def test_progressive_dialing_for_20_agents_and_100_contacts_places_each_contact_once(
    acme, settings
):
    # Agents straight back after each call (no wrap-up), so the race is all claims.
    settings.CAMPAIGNS_WRAP_UP_SECONDS = 0
    # 20 agents racing is the rule under test; 100 contacts (5 an agent) race as 200 did, in
    # half the time (CI's budget).
    campaign, crew = dialling(acme, 20, CONTACTS, mode=PROGRESSIVE)

    def work(agent_id: int) -> int:
        talked, idle = 0, 0
        while idle < 3 and talked < CONTACTS:
            live = Attempt.objects.filter(agent_id=agent_id, status__in=Attempt.LIVE).first()
            attempt = live or dialer.agent_dial_next(agent_id=agent_id)
            if attempt is None:
                idle += 1
                continue
            idle = 0
            events.attempt_agent_answered(attempt_id=attempt.pk)
            events.attempt_contact_answered(attempt_id=attempt.pk)
            events.attempt_dial_ended(attempt_id=attempt.pk, outcome="connected", talk_seconds=9)
            talked += 1
        return talked

    ticks = [lambda: [dialer.progressive_dial() for _ in range(5)] for _ in range(2)]
    outcomes = no_errors(in_threads([lambda a=a: work(a.pk) for a in crew] + ticks, together=22))
    per_contact = Attempt.objects.values("contact").annotate(n=Count("id"))
    assert {row["n"] for row in per_contact} == {1}  # each contact placed once, never twice
    live = Attempt.objects.filter(status__in=Attempt.LIVE)
    for attempt in live:  # the ticks' last dials, still ringing
        events.attempt_dial_ended(attempt_id=attempt.pk, outcome="connected", talk_seconds=1)
    assert Attempt.objects.count() == CONTACTS
    assert campaign.targets.filter(state=State.DONE).count() == CONTACTS
    assert sum(outcomes[:20]) >= CONTACTS * 3 // 4  # the agents did the work, not the ticks
