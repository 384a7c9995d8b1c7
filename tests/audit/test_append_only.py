"""The audit log is append-only: the model refuses changes, and database triggers refuse them under the ORM too."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from guanxi.audit.models import AppendOnlyError, AuditEntry
from guanxi.audit.services import audit_record

pytestmark = pytest.mark.django_db

TABLE = AuditEntry._meta.db_table


@pytest.fixture
def entry(org) -> AuditEntry:
    return audit_record(actor=org.admin, action=AuditEntry.Action.UPDATE, obj=org.rep_a, changes={"phone": [1, 2]})


def _row(pk: int) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT action, detail FROM {TABLE} WHERE id = %s", [pk])
        return cursor.fetchone()


# --- guards in the application ---------------------------------------------------------------------------------------
def test_saving_an_existing_entry_is_refused(entry):
    entry.detail = "tampered"
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert _row(entry.pk) == ("update", "")


def test_saving_a_reloaded_entry_is_refused(entry):
    reloaded = AuditEntry.objects.get(pk=entry.pk)
    reloaded.action = AuditEntry.Action.DELETE
    with pytest.raises(AppendOnlyError):
        reloaded.save(update_fields=["action"])
    assert _row(entry.pk) == ("update", "")


def test_deleting_an_entry_is_refused(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda qs: qs.update(detail="tampered"),
        lambda qs: qs.delete(),
        lambda qs: qs.bulk_update(list(qs), ["detail"]),
        lambda qs: qs.update_or_create(pk=qs.get().pk, defaults={"detail": "tampered"}),
    ],
    ids=["update", "delete", "bulk_update", "update_or_create"],
)
def test_queryset_changes_are_refused(entry, change):
    with pytest.raises(AppendOnlyError):
        change(AuditEntry.objects.filter(pk=entry.pk))
    assert _row(entry.pk) == ("update", "")
    assert AuditEntry.objects.count() >= 1


def test_bulk_create_appends(org):
    before = AuditEntry.objects.count()
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(actor=org.admin, actor_name="admin", action=AuditEntry.Action.EXPORT, detail=f"batch {i}")
            for i in range(3)
        ]
    )
    assert AuditEntry.objects.count() == before + 3
    assert set(AuditEntry.objects.filter(action="export").values_list("detail", flat=True)) == {
        "batch 0",
        "batch 1",
        "batch 2",
    }


def test_new_entries_can_be_added_one_by_one(org):
    first = audit_record(actor=org.admin, action=AuditEntry.Action.EXPORT, detail="one")
    second = audit_record(actor=org.admin, action=AuditEntry.Action.EXPORT, detail="two")
    assert first.pk != second.pk
    assert list(AuditEntry.objects.filter(action="export").values_list("detail", flat=True)) == ["two", "one"]


def test_django_admin_is_not_installed():
    # No generic editing screen may exist for audit entries.
    assert "django.contrib.admin" not in settings.INSTALLED_APPS


# --- guards in the database ------------------------------------------------------------------------------------------
def test_raw_update_is_refused_by_the_database(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET detail = %s WHERE id = %s", ["tampered", entry.pk])
    assert _row(entry.pk) == ("update", "")


def test_raw_update_of_every_row_is_refused(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET actor_name = 'nobody'")
    assert AuditEntry.objects.get(pk=entry.pk).actor_name == "admin"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps DELETE for Django's test flush")
def test_raw_delete_is_refused_on_postgresql(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [TABLE])
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
        return {row[0] for row in cursor.fetchall()}


def test_the_trigger_survives_every_migration():
    # SQLite drops a table's triggers when a migration rebuilds the table: this fails if one did without re-creating it.
    expected = "audit_auditentry_append_only" if connection.vendor == "postgresql" else "audit_auditentry_no_update"
    assert expected in _triggers()


@pytest.mark.django_db(transaction=True)
def test_transactional_tests_still_flush_the_table(org):
    # Django empties the tables after this test (TRUNCATE on PostgreSQL, DELETE on SQLite); the triggers must allow it,
    # or this test errors in teardown. The triggers are still in place inside it.
    entry = audit_record(actor=org.admin, action=AuditEntry.Action.EXPORT, detail="flush me")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET detail = 'x' WHERE id = %s", [entry.pk])
    assert _triggers()
