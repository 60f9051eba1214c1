"""The migration that folds the older audit tables into common.AuditRecord, both ways."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from agents.models import AgentProfile
from billing.models import SettlementRun
from common.models import AuditRecord

# On PostgreSQL only (production's database; CI's second pass): the round trip through the
# whole migration history costs minutes a run, on SQLite as much again for no other answer.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.history,
    pytest.mark.django_db(transaction=True),
]

BEFORE = [
    ("common", "0001_audit_record"),
    ("agents", "0006_routing_indexes"),
    ("billing", "0003_payout_calls"),
]
WHEN = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def older_rows():
    apps = _migrate(BEFORE)
    try:
        user = apps.get_model("accounts", "User").objects.create(email="victor@example.com")
        agent = apps.get_model("agents", "AgentProfile").objects.create(user=user)
        run = apps.get_model("billing", "SettlementRun").objects.create(
            kind="agents", period_start=dt.date(2026, 2, 2), period_end=dt.date(2026, 2, 9)
        )
        event = apps.get_model("agents", "VerificationEvent").objects.create(
            agent=agent,
            actor=user,
            action="check_rejected",
            check_kind="identity",
            reason="Blurred scan",
        )
        record = apps.get_model("billing", "AuditRecord").objects.create(
            actor=None, action="run_done", subject=f"run:{run.pk}", detail={"total": "9.00"}
        )
        export = apps.get_model("billing", "AuditRecord").objects.create(
            actor=user, action="export", subject="export:csv", detail={"format": "csv"}
        )
        for row in (event, record):  # auto_now_add: set the times afterwards
            type(row).objects.filter(pk=row.pk).update(created_at=WHEN)
        yield {"user": user.pk, "agent": agent.pk, "run": run.pk, "export": export.pk}
    finally:
        _migrate(_latest())


def test_the_older_rows_are_copied_forward_and_restored_going_back(older_rows):
    # One test for both directions: each trip through the whole migration history costs
    # a minute or two on PostgreSQL, and a second test would repeat the way there.
    _migrate(_latest())
    agent, run = AgentProfile(pk=older_rows["agent"]), SettlementRun(pk=older_rows["run"])
    vetting = AuditRecord.objects.about(agent).get()
    assert (vetting.action, vetting.actor_id, vetting.reason, vetting.created_at) == (
        "check_rejected",
        older_rows["user"],
        "Blurred scan",
        WHEN,
    )
    assert vetting.detail == {"check_kind": "identity"}
    done = AuditRecord.objects.about(run).get()
    assert (done.action, done.actor_id, done.created_at) == ("run_done", None, WHEN)
    assert done.detail == {"total": "9.00", "subject": f"run:{run.pk}"}
    export = AuditRecord.objects.get(action="export")
    assert (export.content_type, export.detail["subject"]) == (None, "export:csv")

    apps = _migrate(BEFORE)
    event = apps.get_model("agents", "VerificationEvent").objects.get()
    assert (event.action, event.check_kind, event.created_at) == (
        "check_rejected",
        "identity",
        WHEN,
    )
    subjects = apps.get_model("billing", "AuditRecord").objects.values_list("subject", "detail")
    assert sorted(subjects) == [
        ("export:csv", {"format": "csv"}),
        (f"run:{older_rows['run']}", {"total": "9.00"}),
    ]
    assert not apps.get_model("common", "AuditRecord").objects.exists()
