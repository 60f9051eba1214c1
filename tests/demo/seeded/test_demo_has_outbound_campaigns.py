"""The demo's outbound work (campaigns.demo): Acme's promotional preview campaign and Kaveri's
progressive service campaign, with 30 attempts simulated through the Twilio webhooks —
connects disposed by their agents, retries, a machine, an opt-out, the registry's refusals
with their proof — and a second seed that changes none of it."""

import datetime as dt

import pytest
from django.core.management import call_command

from campaigns.models import Attempt, Campaign, CampaignContact, SuppressionEntry
from campaigns.simulator import INDIA
from routing.models import Call

pytestmark = [
    pytest.mark.django_db,
]


@pytest.fixture(scope="module", autouse=True)
def seeded(demo_once: str) -> str:
    return demo_once  # tests/demo/seeded/conftest.py: the package's one seed


def acme_campaign() -> Campaign:
    return Campaign.objects.get(firm__name="Acme Insurance", kind="campaign")


def kaveri_campaign() -> Campaign:
    return Campaign.objects.get(firm__name="Kaveri Bank Services", kind="campaign")


def test_acme_runs_a_promotional_preview_campaign_worked_by_meera_and_priya():
    campaign = acme_campaign()
    assert (campaign.status, campaign.purpose, campaign.mode) == (
        "running",
        "promotional",
        "preview",
    )
    assert campaign.category == "1" and campaign.line.name == "Claims helpline"
    agents = set(campaign.assignments.values_list("agent__user__email", flat=True))
    assert agents == {"meera@agents.example", "priya@agents.example"}
    assert campaign.targets.count() == 40
    assert campaign.lists.get().contacts.exclude(time_zone="").exists()  # a few abroad
    for engagement in campaign.assignments.values_list("engagement__outbound_client_rate"):
        assert engagement[0] is not None


def test_kaveri_runs_a_progressive_service_campaign_on_its_loans_helpline():
    campaign = kaveri_campaign()
    assert (campaign.status, campaign.purpose, campaign.mode) == (
        "running",
        "service",
        "progressive",
    )
    assert campaign.line.name == "Loans helpline"
    assert campaign.attempts.filter(outcome="connected").exists()
    # A complete BPO: the agency keeps its list (Acme, a partial BPO, keeps its own).
    assert campaign.lists.get().created_by.role == "admin"
    assert acme_campaign().lists.get().created_by.email == "client@acme-insurance.example"


def test_the_simulated_attempts_have_every_outcome_and_none_is_left_live():
    outcomes = set(Attempt.objects.values_list("outcome", flat=True))
    assert {"connected", "no_answer", "busy", "machine", "opted_out", "refused"} <= outcomes
    assert not Attempt.objects.filter(status__in=Attempt.LIVE).exists()
    # 30 or a few more (the webhooks' inline tick dials too); by day some are the lines'
    # callbacks (voicemails), which the dialer offers first.
    assert Attempt.objects.count() >= 30
    for attempt in Attempt.objects.exclude(status="refused").select_related("call"):
        assert attempt.provider_call_id.startswith("CA"), attempt
        assert attempt.call.direction == Call.Direction.OUTBOUND
        assert attempt.call.ended_at == attempt.ended_at


def test_the_registry_refused_two_of_acmes_numbers_with_their_proof():
    refused = acme_campaign().attempts.filter(status="refused")
    results = {a.checks.get("registry", {}).get("result") for a in refused}
    assert {"fully blocked", "blocks categories 1"} <= results
    suppressed = refused.filter(checks__suppression__listed=True).get()
    assert suppressed.checks["suppression"]["source"] == "upload"
    # The number the registry blocks for real estate only was called (category 1 campaign).
    called = acme_campaign().attempts.exclude(status="refused")
    assert any(a.checks["registry"]["result"] == "blocks categories 2" for a in called)


def test_promotional_calls_were_placed_within_calling_hours_in_the_contacts_time():
    for attempt in acme_campaign().attempts.exclude(status="refused"):
        local = attempt.placed_at.astimezone(INDIA).time()
        assert dt.time(9, 30) <= local < dt.time(20, 30), attempt
        assert attempt.checks["hours"]["inside"] is True


def test_connected_calls_were_disposed_and_a_callback_is_promised_to_an_agent():
    connected = Attempt.objects.filter(outcome="connected").select_related("call")
    assert connected and all(a.disposition_id for a in connected)
    assert all(a.call.wrap_up == Call.WrapUp.SUBMITTED for a in connected)
    promised = CampaignContact.objects.filter(
        campaign__kind="campaign", state="pending", agent__isnull=False
    )
    assert promised.exists()
    timed = Attempt.objects.filter(callback_at__isnull=False).first()
    assert timed is not None and timed.disposition.kind == "callback"
    assert CampaignContact.objects.get(pk=timed.target_id).next_attempt_at == timed.callback_at


def test_retries_are_scheduled_and_opt_outs_and_do_not_calls_are_suppressed():
    retried = CampaignContact.objects.filter(
        campaign__kind="campaign",
        state="pending",
        attempts__gte=1,
        last_outcome__in=["no_answer", "busy", "machine"],
    )
    assert retried.exists()
    sources = set(SuppressionEntry.objects.values_list("source", flat=True))
    assert {"upload", "opt_out", "disposition"} <= sources
    opted = Attempt.objects.get(outcome="opted_out")
    assert CampaignContact.objects.get(pk=opted.target_id).state == "refused"


def test_a_second_seed_changes_no_outbound_row(capsys):
    def snapshot():
        return (
            sorted(Attempt.objects.values_list("pk", "status", "outcome", "ended_at")),
            sorted(CampaignContact.objects.values_list("pk", "state", "next_attempt_at")),
            SuppressionEntry.objects.count(),
            Call.objects.filter(direction="outbound").count(),
        )

    before = snapshot()
    call_command("seed_demo")
    capsys.readouterr()
    assert snapshot() == before


def test_no_contact_of_the_demo_firms_has_an_agents_personal_number():
    # Found in the review: Acme's demo numbers were the agents' phones (+91 98450 0000N), so
    # the firm's pages and proofs showed, and its campaign dialled, agents' own numbers.
    from agents.models import AgentProfile
    from clients.models import ContactNumber

    phones = {
        str(p) for p in AgentProfile.objects.exclude(phone="").values_list("phone", flat=True)
    }
    numbers = {str(n) for n in ContactNumber.objects.values_list("number", flat=True)}
    assert phones and numbers
    assert not phones & numbers
