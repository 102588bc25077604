"""The full-text index over Standard.search_text (FTS5 on SQLite, a tsvector column with GIN on PostgreSQL) and
the "newest first" indexes, whose NULL ordering differs between the two databases.

Both are kept current by triggers in the database, so every write path (bulk imports included) updates the index
in the same transaction as the row.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE catalogue_standard_fts USING fts5(
        search_text, content='catalogue_standard', content_rowid='id', detail='none',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER catalogue_standard_fts_ai AFTER INSERT ON catalogue_standard BEGIN
        INSERT INTO catalogue_standard_fts(rowid, search_text) VALUES (new.id, new.search_text); END""",
    """CREATE TRIGGER catalogue_standard_fts_ad AFTER DELETE ON catalogue_standard BEGIN
        INSERT INTO catalogue_standard_fts(catalogue_standard_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text); END""",
    """CREATE TRIGGER catalogue_standard_fts_au AFTER UPDATE OF search_text ON catalogue_standard BEGIN
        INSERT INTO catalogue_standard_fts(catalogue_standard_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO catalogue_standard_fts(rowid, search_text) VALUES (new.id, new.search_text); END""",
    "INSERT INTO catalogue_standard_fts(catalogue_standard_fts) VALUES ('rebuild')",
    # Newest first: SQLite already puts NULL last in a descending order.
    "CREATE INDEX std_published_desc ON catalogue_standard (published_on DESC, id DESC)",
    "CREATE INDEX std_implemented_desc ON catalogue_standard (implemented_on DESC, id DESC)",
]
SQLITE_BACKWARD = [
    "DROP INDEX IF EXISTS std_published_desc",
    "DROP INDEX IF EXISTS std_implemented_desc",
    "DROP TRIGGER IF EXISTS catalogue_standard_fts_au",
    "DROP TRIGGER IF EXISTS catalogue_standard_fts_ad",
    "DROP TRIGGER IF EXISTS catalogue_standard_fts_ai",
    "DROP TABLE IF EXISTS catalogue_standard_fts",
]
# The words are already segmented and folded by catalogue.search_text, so the vector takes them verbatim
# (array_to_tsvector) instead of running them through a text-search parser that may not know Chinese.
POSTGRES_FORWARD = [
    "ALTER TABLE catalogue_standard ADD COLUMN search_vector tsvector",
    """CREATE FUNCTION catalogue_standard_search_vector() RETURNS trigger AS $$
    BEGIN
        NEW.search_vector := array_to_tsvector(array_remove(string_to_array(coalesce(NEW.search_text, ''), ' '), ''));
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER catalogue_standard_search_vector_trg BEFORE INSERT OR UPDATE OF search_text
        ON catalogue_standard FOR EACH ROW EXECUTE FUNCTION catalogue_standard_search_vector()""",
    "UPDATE catalogue_standard SET search_text = search_text",
    "CREATE INDEX catalogue_standard_search_gin ON catalogue_standard USING gin (search_vector)",
    # PostgreSQL puts NULL first in a descending order; "newest first" wants undated standards last.
    "CREATE INDEX std_published_desc ON catalogue_standard (published_on DESC NULLS LAST, id DESC)",
    "CREATE INDEX std_implemented_desc ON catalogue_standard (implemented_on DESC NULLS LAST, id DESC)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS std_published_desc",
    "DROP INDEX IF EXISTS std_implemented_desc",
    "DROP INDEX IF EXISTS catalogue_standard_search_gin",
    "DROP TRIGGER IF EXISTS catalogue_standard_search_vector_trg ON catalogue_standard",
    "DROP FUNCTION IF EXISTS catalogue_standard_search_vector()",
    "ALTER TABLE catalogue_standard DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(f"粤标只支持 SQLite 与 PostgreSQL，不支持 {schema_editor.connection.vendor}")
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
