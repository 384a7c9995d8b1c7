"""Database triggers that keep the audit log append-only even for code that bypasses the model (raw SQL, other tools).

PostgreSQL: one plpgsql function refuses UPDATE and DELETE, fired BEFORE each row. TRUNCATE fires no row trigger, so
Django's test flush (TRUNCATE on PostgreSQL) still works; an operator who must prune the log does it deliberately.

SQLite: only UPDATE is refused. Django flushes SQLite test databases with DELETE, which a DELETE trigger would break.
Note that SQLite's schema editor rebuilds a table (and drops its triggers) for most AlterField/RemoveField operations:
a later migration that alters AuditEntry on SQLite must re-create the trigger (tests/audit checks it is present).
"""

from django.db import migrations

FUNCTION = "audit_auditentry_refuse_change"
TRIGGER = "audit_auditentry_append_only"
SQLITE_TRIGGER = "audit_auditentry_no_update"


def _table(apps):
    return apps.get_model("audit", "AuditEntry")._meta.db_table


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    table = schema_editor.quote_name(_table(apps))
    if vendor == "postgresql":
        schema_editor.execute(
            f"""
            CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit entries are append-only: % refused on %', TG_OP, TG_TABLE_NAME
                    USING ERRCODE = 'restrict_violation';
            END;
            $$;
            """,
            params=None,
        )
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table};", params=None)
        schema_editor.execute(
            f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();",
            params=None,
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER IF NOT EXISTS {SQLITE_TRIGGER} BEFORE UPDATE ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: UPDATE refused'); END;",
            params=None,
        )


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    table = schema_editor.quote_name(_table(apps))
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table};", params=None)
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}();", params=None)
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {SQLITE_TRIGGER};", params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
