"""The personal-data access log is append-only: the database itself refuses UPDATE and
DELETE on it, whatever code (or person with a SQL prompt) tries."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER core_accesslogentry_no_update BEFORE UPDATE ON core_accesslogentry
       BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END""",
    """CREATE TRIGGER core_accesslogentry_no_delete BEFORE DELETE ON core_accesslogentry
       BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS core_accesslogentry_no_update",
    "DROP TRIGGER IF EXISTS core_accesslogentry_no_delete",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION core_accesslog_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the access log is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER core_accesslogentry_append_only BEFORE UPDATE OR DELETE
       ON core_accesslogentry FOR EACH ROW EXECUTE FUNCTION core_accesslog_append_only()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS core_accesslogentry_append_only ON core_accesslogentry",
    "DROP FUNCTION IF EXISTS core_accesslog_append_only()",
]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = (
        POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    )
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
