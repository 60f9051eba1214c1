from decimal import Decimal

from django.db import migrations, models
from django.db.models import Sum


def backfill(apps, schema_editor):
    """Runs settled before this field: their totals per currency, from their own rows."""
    SettlementRun = apps.get_model("billing", "SettlementRun")
    Payout = apps.get_model("billing", "Payout")
    Invoice = apps.get_model("billing", "Invoice")
    for run in SettlementRun.objects.filter(status="done").iterator():
        if run.kind == "agents":
            rows = Payout.objects.filter(run_id=run.pk).values("currency").annotate(s=Sum("gross"))
        else:
            rows = Invoice.objects.filter(run_id=run.pk).values("currency").annotate(s=Sum("total"))
        run.totals = {
            row["currency"]: str(Decimal(str(row["s"])).quantize(Decimal("0.01")))
            for row in sorted(rows.order_by(), key=lambda row: row["currency"])
        }
        run.save(update_fields=["totals"])


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0009_payout_export_in_the_background"),
    ]

    operations = [
        migrations.AddField(
            model_name="settlementrun",
            name="totals",
            field=models.JSONField(default=dict),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
