from django.db import migrations


class Migration(migrations.Migration):
    # The timeline now lives in common.AuditRecord; its rows were copied there first.
    dependencies = [
        ("agents", "0007_limits_in_one_place"),
        ("common", "0002_copy_older_audit_rows"),
    ]

    operations = [
        migrations.DeleteModel(name="VerificationEvent"),
    ]
