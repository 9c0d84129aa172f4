"""The data version's counter becomes a PostgreSQL sequence, so writers no longer queue
behind the one row's lock (issue 19). It starts above the row's counter, so a key made
before this migration can never be made again. SQLite keeps the row's counter: a SQLite
database has one writer at a time anyway."""

from django.db import migrations

SEQUENCE = "osm_data_version_seq"


def create_sequence(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    row = apps.get_model("osm", "DataVersion").objects.filter(pk=1).first()
    start = (row.counter if row else 0) + 1
    schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} START WITH {start}")


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [
        ("osm", "0013_notification_kind_words"),
    ]

    operations = [migrations.RunPython(create_sequence, drop_sequence)]
