"""Fast bulk inserts for the bulk paths (seed, import): one executemany per batch, primary keys assigned up front.

Django's bulk_create prepares every value of every row through the field machinery, which dominates the cost of
wide rows. Here each column is prepared once per batch by a converter chosen for its field type, and the rows go to
the database with a single `executemany`. Primary keys are taken from the table's current maximum inside the caller's
transaction (callers hold the write lock: SQLite runs writers one at a time, and on PostgreSQL the sequence is moved
past the ids used), so related rows can point at the new ids at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models
from django.db.models import Max

from guanxi.core.fields import EncryptedTextField

Converter = Callable[[Any], Any]


def _sqlite_datetime(value: Any) -> Any:
    # What Django's SQLite backend stores for an aware datetime: naive UTC, as text.
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return str(value.astimezone(dt.UTC).replace(tzinfo=None))
    return str(value)


def _converter(field: models.Field[Any, Any]) -> Converter | None:
    """How a Python value of `field` becomes a database value; None means "as it is"."""
    if isinstance(field, models.DateTimeField):
        return _sqlite_datetime if connection.vendor == "sqlite" else None
    if isinstance(
        field,
        EncryptedTextField
        | models.DateTimeField
        | models.DateField
        | models.JSONField
        | models.DecimalField
        | models.UUIDField,
    ):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def reserve_ids(model: type[models.Model], count: int) -> range:
    """`count` fresh primary keys for `model` (call inside the transaction that inserts them)."""
    start = (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1
    return range(start, start + count)


def insert_rows(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """INSERT `objs` (instances with their primary keys already set) in one executemany."""
    if not objs:
        return
    fields = list(model._meta.concrete_fields)
    convert = [_converter(f) for f in fields]
    attnames = [f.attname for f in fields]
    # auto_now / auto_now_add fields get their value the way save() gives it (pre_save), the others as they are.
    stamped = [f if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else None for f in fields]
    rows = []
    for obj in objs:
        row = []
        for attname, conv, stamp in zip(attnames, convert, stamped, strict=True):
            value = stamp.pre_save(obj, True) if stamp is not None else getattr(obj, attname)
            row.append(conv(value) if conv is not None and value is not None else value)
        rows.append(row)
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608  (quoted identifiers, values bound)
        qn(model._meta.db_table), ", ".join(qn(str(f.column)) for f in fields), ", ".join(["%s"] * len(fields))
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def sync_sequence(model: type[models.Model]) -> None:
    """After inserting explicit ids on PostgreSQL, move the table's id sequence past them."""
    if connection.vendor != "postgresql":
        return
    table = model._meta.db_table
    pk = str(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE((SELECT MAX({connection.ops.quote_name(pk)}) "  # noqa: S608
            f"FROM {connection.ops.quote_name(table)}), 1))",
            [table, pk],
        )
