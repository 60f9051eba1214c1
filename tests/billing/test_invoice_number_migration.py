"""Migration billing.0012 numbers the invoices issued before stored numbers, in issue order,
one series a financial year, and leaves them without tax (none was charged on them)."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# On PostgreSQL only (production's database; CI's second pass): the round trip through the
# whole migration history costs minutes a run, on SQLite as much again for no other answer.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.history,
    pytest.mark.django_db(transaction=True),
]

BEFORE = [
    ("billing", "0011_fee_plan_bounds_and_statement_disputes"),
    ("clients", "0011_line_service_level_target"),
]
AFTER = [("billing", "0012_tax_invoices")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_older_invoices_are_numbered_in_issue_order_per_financial_year():
    apps = _migrate(BEFORE)
    try:
        firm = apps.get_model("clients", "ClientFirm").objects.create(
            name="Acme", engagement_type="partial", contact_name="C", contact_email="c@a.example"
        )
        Run = apps.get_model("billing", "SettlementRun")
        Invoice = apps.get_model("billing", "Invoice")
        issued = [  # (period start, issued at): out of id order on purpose
            (dt.date(2026, 3, 1), dt.datetime(2026, 4, 2, 6, tzinfo=dt.UTC)),
            (dt.date(2026, 2, 1), dt.datetime(2026, 3, 31, 20, tzinfo=dt.UTC)),  # 1 Apr IST
            (dt.date(2026, 1, 1), dt.datetime(2026, 2, 2, 6, tzinfo=dt.UTC)),
        ]
        ids = []
        for start, at in issued:
            run = Run.objects.create(
                kind="firms", period_start=start, period_end=start + dt.timedelta(days=28)
            )
            invoice = Invoice.objects.create(run=run, firm=firm, kind="activity", currency="INR")
            Invoice.objects.filter(pk=invoice.pk).update(issued_at=at, total=10)
            ids.append(invoice.pk)
        apps = _migrate(AFTER)
        Invoice = apps.get_model("billing", "Invoice")
        numbers = [Invoice.objects.get(pk=pk).number for pk in ids]
        # 2 Feb 2026 is in 2025-26; 1 Apr 2026 (local) and 2 Apr 2026 in 2026-27, in that order
        assert numbers == ["HS/26-27/000002", "HS/26-27/000001", "HS/25-26/000001"]
        assert all(Invoice.objects.get(pk=pk).tax_rate is None for pk in ids)
        series = dict(
            apps.get_model("billing", "InvoiceSeries").objects.values_list("series", "last_serial")
        )
        assert series == {"HS/26-27": 2, "HS/25-26": 1}
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
