from django.db import migrations


class Migration(migrations.Migration):
    # Audit records now live in common.AuditRecord; these rows were copied there first.
    dependencies = [
        ("billing", "0003_payout_calls"),
        ("common", "0002_copy_older_audit_rows"),
    ]

    operations = [
        migrations.DeleteModel(name="AuditRecord"),
    ]
