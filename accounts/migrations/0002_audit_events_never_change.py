"""The database itself refuses to change an audit entry: a trigger aborts any UPDATE of
accounts_auditevent (PostgreSQL and SQLite). Deleting stays possible for the nightly prune
(the retention period), which is the only code that deletes."""

from django.db import migrations

MESSAGE = "audit events are never changed"

POSTGRES = [
    f"""
    CREATE FUNCTION accounts_auditevent_refuse_update() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER accounts_auditevent_no_update BEFORE UPDATE ON accounts_auditevent
    FOR EACH ROW EXECUTE FUNCTION accounts_auditevent_refuse_update();
    """,
]
POSTGRES_UNDO = [
    "DROP TRIGGER IF EXISTS accounts_auditevent_no_update ON accounts_auditevent;",
    "DROP FUNCTION IF EXISTS accounts_auditevent_refuse_update();",
]
SQLITE = [
    f"""
    CREATE TRIGGER accounts_auditevent_no_update BEFORE UPDATE ON accounts_auditevent
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """
]
SQLITE_UNDO = ["DROP TRIGGER IF EXISTS accounts_auditevent_no_update;"]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    statements = POSTGRES_UNDO if schema_editor.connection.vendor == "postgresql" else SQLITE_UNDO
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_audit_log_and_sessions")]

    operations = [migrations.RunPython(forwards, backwards)]
