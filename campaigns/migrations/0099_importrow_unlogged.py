"""Staged import rows skip PostgreSQL's write-ahead log (an unlogged table): they are
scratch, written once and read once by the import that staged them, and were a large part of
its WAL. After a database crash PostgreSQL empties an unlogged table; that costs nothing here,
as the import that staged them fails with its connection, its lease expires, and the sweep
runs it again from the file (the apply also checks that every staged row is there). Not on
SQLite, which has no such thing."""

from django.db import migrations


def unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE campaigns_importrow SET UNLOGGED")


def logged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE campaigns_importrow SET LOGGED")


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial")]
    operations = [migrations.RunPython(unlogged, logged, elidable=False)]
