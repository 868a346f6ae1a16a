"""PostgreSQL: keep the GIN indexes' pending lists small (256 kB instead of 4 MB), so a
search never scans megabytes of not-yet-merged entries between vacuums."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in ("kb_searchdoc_tsv", "kb_searchdoc_title_tsv"):
        schema_editor.execute(f"ALTER INDEX {index} SET (gin_pending_list_limit = 256)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in ("kb_searchdoc_tsv", "kb_searchdoc_title_tsv"):
        schema_editor.execute(f"ALTER INDEX {index} RESET (gin_pending_list_limit)")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0003_search_kind_lexeme")]

    operations = [migrations.RunPython(forwards, backwards)]
