import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from agents.models import AgentProfile
from agents.staff_selectors import agent_timeline
from billing.models import Transaction
from campaigns.models import Attempt, CampaignContact
from clients.models import PhoneLine
from routing.models import Call, RoutingDecision
from routing.services import decision_explain
from tests.conftest import has_totp

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def seeded(demo_once: str) -> str:
    return demo_once  # tests/demo/seeded/conftest.py: the package's one seed


def test_seed_demo_prints_a_login_for_every_role_and_can_run_again(seeded, capsys):
    first = seeded
    call_command("seed_demo")
    capsys.readouterr()

    assert User.objects.filter(email__endswith=".example").count() == User.objects.count()
    for role in User.Role:
        user = User.objects.filter(role=role).first()
        assert user is not None, role
        assert user.email in first
        assert user.check_password(DEMO_PASSWORD)
        assert has_totp(user) == user.needs_totp  # staff and team leads (issue 19)
    assert DEMO_PASSWORD in first

    def counts():
        return (
            User.objects.count(),
            AgentProfile.objects.count(),
            Attempt.objects.count(),  # the outbound simulation runs once
            CampaignContact.objects.count(),
        )

    counts_after_second_run = counts()
    call_command("seed_demo")
    assert counts() == counts_after_second_run


def test_demo_agents_live_in_indian_tier_two_cities_with_coordinates():
    cities = set(AgentProfile.objects.values_list("city", flat=True))
    assert {"Mangaluru", "Madurai", "Visakhapatnam"} <= cities
    assert not AgentProfile.objects.filter(latitude__isnull=True).exists()
    assert set(AgentProfile.objects.values_list("status", flat=True)) == set(
        AgentProfile.Status.values
    )


def test_every_demo_agent_has_documents_skills_and_a_fitting_timeline():
    for agent in AgentProfile.objects.all():
        assert set(agent.documents.values_list("kind", flat=True)) == {"identity", "address"}
        assert agent.languages.exists() and agent.skills.exists()
        assert agent.bank_account_last4
        approved = set(agent.checks.values_list("status", flat=True)) == {"approved"}
        assert approved == (agent.status in ("verified", "suspended")), agent
        assert agent_timeline(agent=agent).exists() == (agent.status != "applied"), agent


def test_the_demo_never_offers_meera_a_policy_desk_call():
    # Meera is engaged on Acme's Claims helpline only; the demo routes a week of calls to
    # every line of Acme's, where she is the nearest agent who speaks English.
    meera = AgentProfile.objects.get(user__email="meera@agents.example")
    policy = PhoneLine.objects.get(name="Policy desk")
    assert Call.objects.filter(line=policy).exists()
    assert not Call.objects.filter(line=policy, agent=meera).exists()
    assert not Call.objects.filter(line=policy, engagement__agent=meera).exists()
    decisions = RoutingDecision.objects.filter(call__line=policy)
    assert not decisions.filter(chosen=meera).exists()
    assert not Transaction.objects.filter(call__line=policy, agent=meera).exists()
    for decision in decisions.exclude(outcome="dispatched"):  # each says why not her
        decision_explain(decision)  # explained when opened, judged at the decision's time
        skipped = {row["agent"]: row["reasons"] for row in decision.skipped}
        assert "not engaged on this line" in skipped[meera.pk], decision
