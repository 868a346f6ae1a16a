"""The search engine's full-text index, by database vendor:
SQLite: an FTS5 table whose rowid is knowledge_searchdocument.id;
PostgreSQL: tsvector columns (all tokens; title and tag tokens) with GIN indexes."""

from django.db import migrations

SQLITE_UP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_searchfts USING fts5("
    "title, body, tokenize = 'unicode61 remove_diacritics 0')",
]
SQLITE_DOWN = ["DROP TABLE IF EXISTS knowledge_searchfts"]
PG_UP = [
    "ALTER TABLE knowledge_searchdocument ADD COLUMN tsv tsvector NOT NULL DEFAULT ''::tsvector",
    "ALTER TABLE knowledge_searchdocument ADD COLUMN title_tsv tsvector NOT NULL DEFAULT ''::tsvector",
    "CREATE INDEX kb_searchdoc_tsv ON knowledge_searchdocument USING gin (tsv)",
    "CREATE INDEX kb_searchdoc_title_tsv ON knowledge_searchdocument USING gin (title_tsv)",
]
PG_DOWN = [
    "DROP INDEX IF EXISTS kb_searchdoc_title_tsv",
    "DROP INDEX IF EXISTS kb_searchdoc_tsv",
    "ALTER TABLE knowledge_searchdocument DROP COLUMN IF EXISTS title_tsv",
    "ALTER TABLE knowledge_searchdocument DROP COLUMN IF EXISTS tsv",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": PG_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN}),
        ),
    ]
