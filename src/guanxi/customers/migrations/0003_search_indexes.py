"""Search indexes that Django's model indexes cannot express (see guanxi/customers/search/indexes.py, which checks them
again after every migrate):

- PostgreSQL: the pg_trgm extension; a stored generated column search_tsv = to_tsvector('simple', search_text)
  with a GIN index; trigram GIN over customer name, customer pinyin and contact name.
- SQLite: the FTS5 table customer_search_fts over customers_customer.search_text (external content, rowid = customer
  id) and the triggers that keep it in step on INSERT, UPDATE OF search_text and DELETE.

Other databases get none and search by scanning. The SQL is written out here (not imported) so that this migration
keeps doing what it did when later code changes.
"""

from typing import Any

from django.db import migrations

POSTGRES_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # The tokens, stored: checking a row against a query then costs a lookup, not a parse of search_text (which
    # matters whenever the planner filters rows instead of using the index, e.g. walking the newest first).
    "ALTER TABLE customers_customer ADD COLUMN IF NOT EXISTS search_tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED",
    # Finer statistics on the tokens, so that rare names are estimated as rare (and looked up in the index).
    "ALTER TABLE customers_customer ALTER COLUMN search_tsv SET STATISTICS 1000",
    "CREATE INDEX IF NOT EXISTS customer_search_tsv_idx ON customers_customer USING gin (search_tsv)",
    "CREATE INDEX IF NOT EXISTS customer_name_trgm_idx ON customers_customer USING gin (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS customer_pinyin_trgm_idx ON customers_customer USING gin (name_pinyin gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS contact_name_trgm_idx ON customers_contact USING gin (name gin_trgm_ops)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS customer_search_tsv_idx",
    "DROP INDEX IF EXISTS customer_name_trgm_idx",
    "DROP INDEX IF EXISTS customer_pinyin_trgm_idx",
    "DROP INDEX IF EXISTS contact_name_trgm_idx",
    "ALTER TABLE customers_customer DROP COLUMN IF EXISTS search_tsv",
]
SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS customer_search_fts USING fts5("
    "search_text, content='customers_customer', content_rowid='id', prefix='2 3')",
    "CREATE TRIGGER IF NOT EXISTS customer_search_fts_ai AFTER INSERT ON customers_customer BEGIN "
    "INSERT INTO customer_search_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS customer_search_fts_ad AFTER DELETE ON customers_customer BEGIN "
    "INSERT INTO customer_search_fts(customer_search_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS customer_search_fts_au AFTER UPDATE OF search_text ON customers_customer BEGIN "
    "INSERT INTO customer_search_fts(customer_search_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO customer_search_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO customer_search_fts(customer_search_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS customer_search_fts_ai",
    "DROP TRIGGER IF EXISTS customer_search_fts_ad",
    "DROP TRIGGER IF EXISTS customer_search_fts_au",
    "DROP TABLE IF EXISTS customer_search_fts",
]


def _run(schema_editor: Any, statements: dict[str, list[str]]) -> None:
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def forwards(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"postgresql": POSTGRES_CREATE, "sqlite": SQLITE_CREATE})


def backwards(apps: Any, schema_editor: Any) -> None:
    # pg_trgm stays installed: other indexes may use it, and dropping an extension needs more rights than creating it.
    _run(schema_editor, {"postgresql": POSTGRES_DROP, "sqlite": SQLITE_DROP})


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0002_customfielddefinition_tag_customer_birthday_and_more"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
