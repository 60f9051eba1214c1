"""A campaign's life, draft -> scheduled -> running <-> paused -> completed: each legal move,
each illegal one refused with nothing changed, what scheduling needs, and who may."""

import datetime as dt

import pytest
from django.utils import timezone

from campaigns import lifecycle
from campaigns.models import Campaign, CampaignContact, ListMember
from clients.models import Contact, ContactNumber
from clients.services import NotAllowed
from common.errors import ApplicationError, ConflictError
from common.models import AuditAction, AuditRecord
from tests.billing.factories import engaged
from tests.campaigns.conftest import contact_list, registry
from tests.factories import (
    CampaignFactory,
    FirmMemberFactory,
    PhoneLineFactory,
    verified_agent,
)

S = Campaign.Status
FIELDS = {
    "name": "Renewals",
    "purpose": "service",
    "category": "1",
    "mode": "preview",
    "starts_on": dt.date(2026, 12, 1),
    "ends_on": dt.date(2026, 12, 31),
    "window_start": dt.time(9),
    "window_end": dt.time(18),
}


def moved(campaign, *moves, actor):
    for move in moves:
        getattr(lifecycle, f"campaign_{move}")(actor=actor, campaign=campaign)
    campaign.refresh_from_db()
    return campaign


def test_a_firm_admin_creates_a_draft_campaign_and_it_is_audited(acme, acme_line, carol):
    campaign = lifecycle.campaign_create(actor=carol, firm=acme, line=acme_line, **FIELDS)

    assert campaign.status == S.DRAFT and campaign.firm == acme
    assert AuditRecord.objects.about(campaign).get().action == AuditAction.CAMPAIGN_CREATED


def test_a_promotional_window_outside_nine_to_nine_is_refused_not_narrowed(acme, acme_line, carol):
    fields = FIELDS | {"purpose": "promotional", "window_start": dt.time(8, 30)}
    with pytest.raises(ApplicationError, match="09:00 to 21:00") as refused:
        lifecycle.campaign_create(actor=carol, firm=acme, line=acme_line, **fields)
    assert refused.value.field == "window_start"
    late = FIELDS | {"purpose": "promotional", "window_end": dt.time(21, 30)}
    with pytest.raises(ApplicationError, match="09:00 to 21:00"):
        lifecycle.campaign_create(actor=carol, firm=acme, line=acme_line, **late)
    assert not Campaign.objects.exists()


def test_a_service_campaign_may_call_outside_promotional_hours(acme, acme_line, carol):
    fields = FIELDS | {"window_start": dt.time(8), "window_end": dt.time(22)}
    assert lifecycle.campaign_create(actor=carol, firm=acme, line=acme_line, **fields).pk


def test_another_firms_line_is_no_caller_id(acme, globex, carol):
    theirs = PhoneLineFactory(firm=globex)
    with pytest.raises(ApplicationError, match="your own lines"):
        lifecycle.campaign_create(actor=carol, firm=acme, line=theirs, **FIELDS)


def test_the_retry_and_attempt_numbers_come_from_the_model(acme, acme_line, carol):
    with pytest.raises(ApplicationError, match="At most 20 attempts") as refused:
        lifecycle.campaign_create(actor=carol, firm=acme, line=acme_line, max_attempts=21, **FIELDS)
    assert refused.value.field == "max_attempts"


def test_scheduling_makes_targets_of_the_lists_contacts(ready, carol):
    moved(ready, "schedule", actor=carol)

    assert ready.status == S.SCHEDULED and ready.scheduled_at
    assert ready.targets.filter(state=CampaignContact.State.PENDING).count() == 2


def test_the_full_life_of_a_campaign(ready, carol):
    ready.starts_on = timezone.localdate()
    ready.save()
    assert moved(ready, "schedule", "start", actor=carol).status == S.RUNNING
    assert moved(ready, "pause", actor=carol).status == S.PAUSED and ready.paused_at
    assert moved(ready, "resume", actor=carol).status == S.RUNNING and ready.paused_at is None
    assert moved(ready, "complete", actor=carol).status == S.COMPLETED and ready.completed_at
    assert set(ready.targets.values_list("state", flat=True)) == {CampaignContact.State.DONE}
    actions = list(AuditRecord.objects.about(ready).values_list("action", flat=True))
    assert set(actions) == {
        AuditAction.CAMPAIGN_SCHEDULED,
        AuditAction.CAMPAIGN_STARTED,
        AuditAction.CAMPAIGN_PAUSED,
        AuditAction.CAMPAIGN_RESUMED,
        AuditAction.CAMPAIGN_COMPLETED,
    }


ILLEGAL = [
    ([], "start"),
    ([], "pause"),
    ([], "resume"),
    ([], "complete"),
    (["schedule"], "schedule"),
    (["schedule"], "pause"),
    (["schedule"], "resume"),
    (["schedule"], "complete"),
    (["schedule", "start"], "start"),
    (["schedule", "start"], "resume"),
    (["schedule", "start", "pause"], "pause"),
    (["schedule", "start", "complete"], "resume"),
    (["schedule", "start", "complete"], "complete"),
    (["schedule", "start", "complete"], "start"),
]


@pytest.mark.parametrize(("before", "move"), ILLEGAL, ids=[f"{b}->{m}" for b, m in ILLEGAL])
def test_an_illegal_move_is_refused_and_changes_nothing(ready, carol, before, move):
    ready.starts_on = timezone.localdate()
    ready.save()
    moved(ready, *before, actor=carol)
    status, records = ready.status, AuditRecord.objects.count()

    with pytest.raises(ConflictError, match="Only a"):
        moved(ready, move, actor=carol)

    ready.refresh_from_db()
    assert ready.status == status and AuditRecord.objects.count() == records


def test_a_campaign_starts_by_hand_only_once_its_first_day_has_come(ready, carol):
    ready.starts_on = timezone.localdate() + dt.timedelta(days=2)
    ready.save()
    moved(ready, "schedule", actor=carol)
    with pytest.raises(ConflictError, match="starts by itself"):
        moved(ready, "start", actor=carol)


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("lists", "at least one contact list"),
        ("agents", "at least one agent"),
        ("dates", "last day has passed"),
        ("line", "active lines"),
        ("registry", "national do-not-call registry"),
    ],
)
def test_scheduling_needs_lists_agents_dates_a_line_and_a_registry(ready, carol, broken, message):
    if broken == "lists":
        ready.lists.clear()
    elif broken == "agents":
        ready.assignments.all().delete()
    elif broken == "dates":
        ready.starts_on = ready.ends_on = timezone.localdate() - dt.timedelta(days=1)
    elif broken == "line":
        ready.line.is_active = False
        ready.line.save()
    elif broken == "registry":
        ready.purpose = "promotional"
        registry(age_days=60)  # too old to rely on
    ready.save()
    with pytest.raises(ApplicationError, match=message):
        moved(ready, "schedule", actor=carol)
    ready.refresh_from_db()
    assert ready.status == S.DRAFT and not ready.targets.exists()


def test_a_promotional_campaign_schedules_with_a_current_registry(ready, carol):
    ready.purpose = "promotional"
    ready.save()
    registry()
    assert moved(ready, "schedule", actor=carol).status == S.SCHEDULED


def test_agents_must_be_engaged_by_the_firm_on_the_campaigns_line(acme, globex, ready, carol):
    other_line = PhoneLineFactory(firm=acme)
    ravi = verified_agent("ravi@example.com", full_name="Ravi Kumar")
    elsewhere = engaged(ravi, acme, lines=[other_line])
    meera = verified_agent("meera@example.com", full_name="Meera Nair")
    theirs = engaged(meera, globex, lines=[PhoneLineFactory(firm=globex)])
    ended = engaged(verified_agent("old@example.com", full_name="Old Hand"), acme)
    ended.status = "ended"
    ended.save()

    for engagement in (elsewhere, theirs, ended):
        with pytest.raises(ApplicationError, match="is not engaged on the line"):
            lifecycle.campaign_agents_set(actor=carol, campaign=ready, engagements=[engagement])
    assert ready.assignments.count() == 1

    elsewhere.lines.add(ready.line)
    lifecycle.campaign_agents_set(actor=carol, campaign=ready, engagements=[elsewhere])
    assert list(ready.assignments.values_list("agent__full_name", flat=True)) == ["Ravi Kumar"]


def test_a_running_campaigns_settings_wait_for_a_pause_but_its_name_does_not(ready, carol):
    ready.starts_on = timezone.localdate()
    ready.save()
    moved(ready, "schedule", "start", actor=carol)

    with pytest.raises(ConflictError, match="pause it first"):
        lifecycle.campaign_update(actor=carol, campaign=ready, category="2")
    lifecycle.campaign_update(actor=carol, campaign=ready, name="Renewals, December")
    moved(ready, "pause", actor=carol)
    lifecycle.campaign_update(actor=carol, campaign=ready, category="2", window_end=dt.time(17))

    ready.refresh_from_db()
    assert (ready.name, ready.category, ready.window_end) == (
        "Renewals, December",
        "2",
        dt.time(17),
    )


def test_targets_are_made_once_per_contact_whatever_the_lists_share(acme, ready, carol):
    shared = contact_list(acme, "VIP", ["+919845012345", "+919845099999"])  # one already listed
    ready.starts_on = timezone.localdate()
    ready.save()
    moved(ready, "schedule", "start", actor=carol)

    added = lifecycle.campaign_lists_set(
        actor=carol, campaign=ready, lists=[*ready.lists.all(), shared]
    )

    assert added == 1
    assert ready.targets.count() == 3
    assert lifecycle.targets_materialise(campaign=ready) == 0


def test_a_list_taken_off_a_running_campaign_withdraws_its_contacts_not_yet_called(
    acme, ready, carol
):
    other = contact_list(acme, "Walk-ins", ["+919845077777"])
    ready.lists.add(other)
    ready.starts_on = timezone.localdate()
    ready.save()
    moved(ready, "schedule", "start", actor=carol)
    assert ready.targets.count() == 3

    lifecycle.campaign_lists_set(actor=carol, campaign=ready, lists=[other])

    pending = ready.targets.filter(state=CampaignContact.State.PENDING)
    assert list(pending.values_list("contact__name", flat=True)) == ["Contact +919845077777"]


def test_the_sweep_starts_campaigns_on_their_first_day_and_completes_them_after_their_last(
    ready, carol
):
    today = timezone.localdate()
    ready.starts_on = today
    ready.save()
    moved(ready, "schedule", actor=carol)
    assert lifecycle.campaigns_due()["started"] == [ready.pk]
    ready.refresh_from_db()
    assert ready.status == S.RUNNING

    past = today - dt.timedelta(days=2)
    Campaign.objects.filter(pk=ready.pk).update(starts_on=past, ends_on=past)
    assert lifecycle.campaigns_due()["completed"] == [ready.pk]
    ready.refresh_from_db()
    assert ready.status == S.COMPLETED
    assert AuditRecord.objects.filter(action=AuditAction.CAMPAIGN_COMPLETED, actor=None).exists()


def test_the_sweep_leaves_a_campaign_whose_last_day_is_not_over_everywhere(ready, carol):
    ready.starts_on = timezone.localdate()
    ready.save()
    moved(ready, "schedule", "start", actor=carol)
    at = timezone.now()
    # Its last day is today in India; at UTC-12 today has not begun, or has not ended.
    last = at.astimezone(lifecycle.LAST_ZONE).date()
    Campaign.objects.filter(pk=ready.pk).update(starts_on=last, ends_on=last)
    assert lifecycle.campaigns_due(at=at)["completed"] == []


# --- Who may --------------------------------------------------------------------------------


def test_a_plain_member_of_the_firm_may_not_run_its_campaigns(acme, ready):
    member = FirmMemberFactory(firm=acme, role="member").user
    with pytest.raises(NotAllowed, match="admins"):
        moved(ready, "schedule", actor=member)


def test_another_firms_admin_may_not_touch_a_campaign(ready, dave):
    with pytest.raises(NotAllowed):
        moved(ready, "schedule", actor=dave)
    with pytest.raises(NotAllowed):
        lifecycle.campaign_update(actor=dave, campaign=ready, name="Ours now")


def test_for_a_complete_bpo_firm_the_agency_runs_the_campaigns(globex, dave, root):
    line = PhoneLineFactory(firm=globex)
    with pytest.raises(NotAllowed, match="The agency runs your campaigns"):
        lifecycle.campaign_create(actor=dave, firm=globex, line=line, **FIELDS)

    campaign = lifecycle.campaign_create(actor=root, firm=globex, line=line, **FIELDS)
    agent = verified_agent("tara@example.com", full_name="Tara Das")
    engagement = engaged(agent, globex, lines=[line])
    lifecycle.campaign_agents_set(actor=root, campaign=campaign, engagements=[engagement])
    lifecycle.campaign_lists_set(
        actor=root, campaign=campaign, lists=[contact_list(globex, "Base", ["+919845055555"])]
    )
    campaign.starts_on = timezone.localdate()
    campaign.save()
    moved(campaign, "schedule", "start", actor=root)
    with pytest.raises(NotAllowed):
        moved(campaign, "pause", actor=dave)
    assert moved(campaign, "pause", actor=root).status == S.PAUSED


def test_a_campaign_of_another_firm_cannot_take_our_lists(acme, globex, root):
    campaign = CampaignFactory(firm=globex)
    with pytest.raises(ApplicationError, match="your own contact lists"):
        lifecycle.campaign_lists_set(
            actor=root, campaign=campaign, lists=[contact_list(acme, "Ours", ["+919845011111"])]
        )


def test_contacts_imported_into_a_list_join_the_live_campaigns_that_call_it(acme, ready, carol):
    moved(ready, "schedule", actor=carol)
    listed = ready.lists.get()
    newcomer = Contact.objects.create(firm=acme, name="Newcomer")
    ContactNumber.objects.create(contact=newcomer, firm=acme, number="+919845033333")
    ListMember.objects.create(contact_list=listed, contact=newcomer)

    assert lifecycle.lists_changed(contact_list=listed) == 1
    assert ready.targets.filter(contact=newcomer, state="pending").exists()
