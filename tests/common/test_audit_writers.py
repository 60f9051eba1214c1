"""Every audited action writes exactly one record naming its actor, action and object."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from agents.models import AgentProfile
from agents.services import agent_profile_create, agent_suspend, agent_tds_set, check_decide
from billing.ledger import adjustment_create
from billing.models import PayoutExport
from billing.payouts import export_audit, payout_approve
from billing.settlement import run_open
from common.models import AuditRecord
from tests.billing.factories import last_week, ledger_row, settle
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _only(obj) -> AuditRecord:
    return AuditRecord.objects.about(obj).get()


def test_a_check_decision_records_the_check_before_and_after(victor):
    agent = agent_profile_create(user=UserFactory(email="hema@example.com"))
    check_decide(agent=agent, kind="address", approve=False, actor=victor, reason="Blurred")
    record = _only(agent)
    assert (record.action, record.actor, record.reason) == ("check_rejected", victor, "Blurred")
    assert record.detail == {"check_kind": "address"}
    assert (record.before["status"], record.after["status"]) == ("pending", "rejected")


def test_a_suspension_records_the_status_it_ended(alice, victor):
    agent = alice.agent_profile
    AgentProfile.objects.filter(pk=agent.pk).update(status="verified")
    agent_suspend(agent=agent, actor=victor, reason="Recorded a call")
    record = _only(agent)
    assert (record.action, record.actor, record.reason) == ("suspended", victor, "Recorded a call")
    assert (record.before, record.after) == ({"status": "verified"}, {"status": "suspended"})


def test_a_tds_change_records_both_rates(alice, fiona):
    agent_tds_set(agent=alice.agent_profile, rate=Decimal("7.5"), actor=fiona)
    record = _only(alice.agent_profile)
    assert (record.action, record.actor) == ("tds_changed", fiona)
    assert (record.before, record.after) == ({"tds_rate": "10.00"}, {"tds_rate": "7.5"})


def test_a_payout_approval_records_the_payout(alice, acme, fiona):
    ledger_row(alice, acme, day=last_week())
    payout = settle("agents", last_week()).payouts.get()
    payout_approve(actor=fiona, payout_ids=[payout.pk])
    record = _only(payout)
    assert (record.action, record.actor) == ("payout_approved", fiona)
    assert (record.before, record.after) == ({"status": "draft"}, {"status": "approved"})
    assert record.detail == {"net": str(payout.net), "currency": "INR"}


def test_an_export_of_one_run_records_the_run(alice, acme, fiona):
    ledger_row(alice, acme, day=last_week())
    run = settle("agents", last_week())
    export = PayoutExport.objects.create(kind="neft", actor=fiona, run=run, count=1)
    export_audit(actor=fiona, export=export, total=Decimal("25.20"))
    record = AuditRecord.objects.about(run).get(action="export")
    assert record.actor == fiona and record.detail["format"] == "neft"


def test_an_adjustment_records_its_reason_and_amount(alice, fiona):
    adjustment = adjustment_create(
        actor=fiona, amount=Decimal("-12.5"), reason="Duplicate call", agent=alice.agent_profile
    )
    record = _only(adjustment)
    assert (record.action, record.actor, record.reason) == ("adjustment", fiona, "Duplicate call")
    assert (record.detail["amount"], record.detail["agent"]) == ("-12.50", alice.agent_profile.pk)


def test_opening_a_settlement_run_records_who_asked_for_it(fiona):
    run = run_open(kind="agents", day=last_week(), user=fiona)
    record = _only(run)
    assert (record.action, record.actor, record.detail["kind"]) == ("run_opened", fiona, "agents")


def test_a_request_gives_its_records_the_clients_ip(client, fiona, alice):
    client.force_login(fiona)
    url = reverse("finance_agents:tds_update", args=[alice.agent_profile.pk])
    client.post(url, {"tds_rate": "5"}, REMOTE_ADDR="203.0.113.9")
    record = _only(alice.agent_profile)
    assert (record.action, record.ip) == ("tds_changed", "203.0.113.9")
    assert record.created_at <= timezone.now()
