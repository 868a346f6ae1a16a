"""On PostgreSQL, compare the identity columns of events byte-wise (COLLATE "C"):
the unique index is maintained for every imported row, and C comparisons are the
cheapest. Waybill numbers, codes and office codes are ASCII, so order is unchanged.
SQLite compares bytes already."""

from django.db import migrations

COLUMNS = [
    ("tracking_event", "waybill_no", 20),
    ("tracking_event", "event_code", 20),
    ("tracking_event", "office_code", 32),
    ("tracking_attempt", "waybill_no", 20),
    ("tracking_attempt", "office_code", 32),
    ("tracking_item", "waybill_no", 20),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, size in COLUMNS:
        schema_editor.execute(
            f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({size}) COLLATE "C"'
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, size in COLUMNS:
        schema_editor.execute(
            f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({size}) COLLATE "default"'
        )


class Migration(migrations.Migration):
    dependencies = [("tracking", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
