"""Issue 13: the Django admin shows an agent's bank account as its last four digits only, and
cannot change it (nor the vetting status): bank changes go through the audited service."""

import pytest

from agents.enrolment import bank_details_set
from agents.models import AgentProfile
from tests.factories import AgentProfileFactory

pytestmark = pytest.mark.django_db

ACCOUNT = "004512345678"


@pytest.fixture
def agent(db) -> AgentProfile:
    agent = AgentProfileFactory(full_name="Asha Rao")
    return bank_details_set(
        agent=agent, holder_name="Asha Rao", ifsc="HDFC0001234", account_number=ACCOUNT
    )


def test_the_change_page_shows_only_the_last_four_digits(client, root, agent):
    client.force_login(root)
    page = client.get(f"/admin/agents/agentprofile/{agent.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert ACCOUNT not in body and ACCOUNT[:8] not in body
    assert "•••• 5678" in body
    form = page.context["adminform"].form
    assert not {"bank_account", "bank_account_last4", "status"} & set(form.fields)


def test_posting_a_raw_account_number_through_the_admin_changes_nothing(client, root, agent):
    client.force_login(root)
    page = client.get(f"/admin/agents/agentprofile/{agent.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data |= {"bank_account": "999988887777", "bank_account_last4": "7777", "status": "verified"}
    data |= {"_save": "Save"}
    data = {k: v for k, v in data.items() if v is not None}
    answer = client.post(f"/admin/agents/agentprofile/{agent.pk}/change/", data)
    assert answer.status_code == 302  # saved: only what the admin may edit
    agent.refresh_from_db()
    assert (agent.bank_account, agent.bank_account_last4) == (ACCOUNT, "5678")
    assert agent.status == "applied"
