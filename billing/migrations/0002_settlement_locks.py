from django.db import migrations


def create_locks(apps, schema_editor):
    SettlementLock = apps.get_model("billing", "SettlementLock")
    for kind in ("agents", "firms"):
        SettlementLock.objects.get_or_create(kind=kind)


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(create_locks, migrations.RunPython.noop)]
