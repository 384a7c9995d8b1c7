"""The database-specific search indexes (created by migration customers 0003, checked again after every migrate).

PostgreSQL: pg_trgm; a stored generated column search_tsv = to_tsvector('simple', search_text) (the model does not
know it; Django never writes it) with a GIN index; trigram GIN over customer name, customer pinyin and contact name
for "contains" and "starts with" on 3+ characters.

SQLite: an FTS5 table `customer_search_fts` whose content is customers_customer.search_text (external content, rowid =
customer id), kept in step by triggers on INSERT, UPDATE OF search_text and DELETE. Django rebuilds a SQLite table to
alter it (new table, copy, drop, rename), which drops its triggers: `ensure_after_migrate` puts them back and rebuilds
the index when one was missing.
"""

from __future__ import annotations

from typing import Any

FTS_TABLE = "customer_search_fts"
CUSTOMER_TABLE = "customers_customer"

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
# The extension stays: other indexes may use it, and dropping it needs more rights than creating it.
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS customer_search_tsv_idx",
    "DROP INDEX IF EXISTS customer_name_trgm_idx",
    "DROP INDEX IF EXISTS customer_pinyin_trgm_idx",
    "DROP INDEX IF EXISTS contact_name_trgm_idx",
    "ALTER TABLE customers_customer DROP COLUMN IF EXISTS search_tsv",
]

SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS customer_search_fts USING fts5("
    "search_text, content='customers_customer', content_rowid='id', prefix='2 3')"
)
SQLITE_TRIGGERS = {
    "customer_search_fts_ai": (
        "CREATE TRIGGER IF NOT EXISTS customer_search_fts_ai AFTER INSERT ON customers_customer BEGIN "
        "INSERT INTO customer_search_fts(rowid, search_text) VALUES (new.id, new.search_text); END"
    ),
    "customer_search_fts_ad": (
        "CREATE TRIGGER IF NOT EXISTS customer_search_fts_ad AFTER DELETE ON customers_customer BEGIN "
        "INSERT INTO customer_search_fts(customer_search_fts, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); END"
    ),
    "customer_search_fts_au": (
        "CREATE TRIGGER IF NOT EXISTS customer_search_fts_au AFTER UPDATE OF search_text ON customers_customer BEGIN "
        "INSERT INTO customer_search_fts(customer_search_fts, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); "
        "INSERT INTO customer_search_fts(rowid, search_text) VALUES (new.id, new.search_text); END"
    ),
}
SQLITE_REBUILD = "INSERT INTO customer_search_fts(customer_search_fts) VALUES ('rebuild')"
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS customer_search_fts_ai",
    "DROP TRIGGER IF EXISTS customer_search_fts_ad",
    "DROP TRIGGER IF EXISTS customer_search_fts_au",
    "DROP TABLE IF EXISTS customer_search_fts",
]


def create(connection: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for sql in POSTGRES_CREATE:
                cursor.execute(sql)
        elif connection.vendor == "sqlite":
            cursor.execute(SQLITE_TABLE)
            for sql in SQLITE_TRIGGERS.values():
                cursor.execute(sql)
            cursor.execute(SQLITE_REBUILD)


def drop(connection: Any) -> None:
    statements = {"postgresql": POSTGRES_DROP, "sqlite": SQLITE_DROP}.get(connection.vendor, [])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def missing_sqlite_triggers(connection: Any) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [CUSTOMER_TABLE])
        present = {row[0] for row in cursor.fetchall()}
    return [name for name in SQLITE_TRIGGERS if name not in present]


def ensure_after_migrate(sender: Any = None, *, using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver: on SQLite, recreate the FTS table or its triggers if a table rebuild dropped them."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite" or CUSTOMER_TABLE not in connection.introspection.table_names():
        return
    if FTS_TABLE not in connection.introspection.table_names():
        # Migration 0003 has not run (e.g. migrating backwards): nothing to keep in step.
        return
    if missing_sqlite_triggers(connection):
        create(connection)
