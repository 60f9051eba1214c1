"""Issue 13: after an agent changes their bank details, finance cannot approve their payout
until a vetting admin has approved the identity check again: no money goes to an account
nobody has checked."""

import pytest
from django.urls import reverse

from agents.enrolment import bank_details_set
from agents.models import VerificationCheck
from agents.services import check_decide
from billing.payouts import payout_approve
from tests.billing.exporting import bank, export
from tests.billing.factories import last_week, ledger_row, settle

# Exports are built by a task: inline here (the test's data is not committed for a worker).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager")]


@pytest.fixture
def draft(alice, acme):
    agent = alice.agent_profile
    for kind in VerificationCheck.Kind:
        VerificationCheck.objects.update_or_create(
            agent=agent, kind=kind, defaults={"status": "approved"}
        )
    ledger_row(agent, acme, day=last_week())
    return settle("agents", last_week()).payouts.get(agent=agent)


def test_a_payout_is_held_after_the_agent_changes_bank_details(alice, fiona, victor, draft):
    agent = alice.agent_profile
    bank_details_set(
        agent=agent, holder_name="Alice Agent", ifsc="SBIN0000001", account_number="99998888777"
    )
    assert payout_approve(actor=fiona, payout_ids=[draft.pk]) == []
    draft.refresh_from_db()
    assert draft.status == "draft"
    check_decide(agent=agent, kind="identity", approve=True, actor=victor)
    assert payout_approve(actor=fiona, payout_ids=[draft.pk]) == [draft]


def test_an_agent_with_every_check_approved_is_paid_as_before(fiona, draft):
    assert [p.pk for p in payout_approve(actor=fiona, payout_ids=[draft.pk])] == [draft.pk]


def test_a_payout_approved_before_a_bank_change_stays_out_of_bank_files(
    client, alice, fiona, victor, draft
):
    """Approved to the old account, then the account changed: the NEFT file must not send the
    money to the new, unchecked one. It leaves the payout out with its reason until the
    identity check is approved again."""
    agent = alice.agent_profile
    bank(alice, account="111122223333", ifsc="SBIN0000001")  # on file when vetted
    payout_approve(actor=fiona, payout_ids=[draft.pk])
    bank_details_set(
        agent=agent, holder_name="Alice Agent", ifsc="SBIN0000002", account_number="99998888777"
    )
    _refused, audited = export(client, fiona, "neft")
    assert audited.detail["count"] == 0 and audited.detail["left_out"] == 1
    page = client.get(reverse("finance:payouts")).content.decode()
    assert "held until vetting reviews the identity check again" in page

    check_decide(agent=agent, kind="identity", approve=True, actor=victor)
    body, audited = export(client, fiona, "neft", reason="Re-review done")
    assert audited.detail["count"] == 1 and b"99998888777" in body
