"""PostgreSQL: every document's tsvectors carry its kind as a lexeme ("_k_<kind>"), so the
GIN index alone answers "this kind and these words"."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "UPDATE knowledge_searchdocument SET "
        "tsv = tsv || array_to_tsvector(ARRAY['_k_' || kind]), "
        "title_tsv = title_tsv || array_to_tsvector(ARRAY['_k_' || kind])"
    )


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_search_fulltext")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
