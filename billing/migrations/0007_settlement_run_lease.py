"""Settlement runs get a lease, a queue time, the sweep's requeue count and a failure reason
(renamed from `error`, its rows kept): issue 13, runs that survive their infrastructure."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0006_adjustment_amount_range"),
    ]

    operations = [
        migrations.RenameField(
            model_name="settlementrun", old_name="error", new_name="failure_reason"
        ),
        migrations.AddField(
            model_name="settlementrun",
            name="lease_holder",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="settlementrun",
            name="lease_expires_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="settlementrun",
            name="queued_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="settlementrun",
            name="requeues",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name="settlementrun",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Queued"),
                    ("running", "Running"),
                    ("done", "Done"),
                    ("failed", "Failed"),
                ],
                default="pending",
                max_length=8,
            ),
        ),
    ]
