"""The library's full-text index, kept in step with the summaries by triggers (ADR 28).

SQLite: an FTS5 table whose rowid is the summary's id, with the Porter stemmer so "falls"
finds "fall" as PostgreSQL's English configuration does. PostgreSQL: the summary's
`search_vector` column, set by a trigger from the title (weight A) and the body (weight B),
under a GIN index. Each vendor's statements run only on that vendor.

Beware: on SQLite Django changes a table by rebuilding it, which drops its triggers. A later
migration that alters LearningSummary must run `create_sqlite` below again afterwards
(tests/learning/test_search.py fails if the index falls out of step).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS learning_summary_fts USING fts5("
    "title, body, tokenize = 'porter unicode61')",
    "DROP TRIGGER IF EXISTS learning_summary_fts_insert",
    "DROP TRIGGER IF EXISTS learning_summary_fts_update",
    "DROP TRIGGER IF EXISTS learning_summary_fts_delete",
    "CREATE TRIGGER learning_summary_fts_insert AFTER INSERT ON learning_learningsummary BEGIN"
    " INSERT INTO learning_summary_fts(rowid, title, body)"
    " VALUES (new.id, new.title, new.search_body); END",
    "CREATE TRIGGER learning_summary_fts_update AFTER UPDATE OF title, search_body"
    " ON learning_learningsummary BEGIN"
    " DELETE FROM learning_summary_fts WHERE rowid = old.id;"
    " INSERT INTO learning_summary_fts(rowid, title, body)"
    " VALUES (new.id, new.title, new.search_body); END",
    "CREATE TRIGGER learning_summary_fts_delete AFTER DELETE ON learning_learningsummary BEGIN"
    " DELETE FROM learning_summary_fts WHERE rowid = old.id; END",
    "DELETE FROM learning_summary_fts",
    "INSERT INTO learning_summary_fts(rowid, title, body)"
    " SELECT id, title, search_body FROM learning_learningsummary",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS learning_summary_fts_insert",
    "DROP TRIGGER IF EXISTS learning_summary_fts_update",
    "DROP TRIGGER IF EXISTS learning_summary_fts_delete",
    "DROP TABLE IF EXISTS learning_summary_fts",
]
POSTGRES_CREATE = [
    """CREATE OR REPLACE FUNCTION learning_summary_search_vector() RETURNS trigger AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(NEW.search_body, '')), 'B');
  RETURN NEW;
END
$$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS learning_summary_search_vector ON learning_learningsummary",
    "CREATE TRIGGER learning_summary_search_vector BEFORE INSERT OR UPDATE OF title, search_body"
    " ON learning_learningsummary FOR EACH ROW EXECUTE FUNCTION learning_summary_search_vector()",
    "CREATE INDEX IF NOT EXISTS learning_summary_search"
    " ON learning_learningsummary USING GIN (search_vector)",
    "UPDATE learning_learningsummary SET title = title",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS learning_summary_search",
    "DROP TRIGGER IF EXISTS learning_summary_search_vector ON learning_learningsummary",
    "DROP FUNCTION IF EXISTS learning_summary_search_vector()",
]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


def create_sqlite(apps: Any, schema_editor: Any) -> None:
    _run({"sqlite": SQLITE_CREATE})(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_library")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
