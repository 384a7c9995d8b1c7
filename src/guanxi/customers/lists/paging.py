"""Keyset pages for the customer list, and a count that stays cheap on a million rows.

A page is "the `size` rows after (or before) this row in this sort", one indexed range condition instead of an OFFSET,
so page 1 and page 10 000 cost the same. Unlike the API's cursor pagination, keys may be empty (NULL): empty values
sort last, and the range condition treats them as larger than every value (smaller when walking backwards).

Counting every matching row of a million takes longer than the page itself, so the list counts up to `COUNT_CAP` rows
(`SELECT count(*) FROM (… LIMIT cap + 1)`, which stops early) and says "10,000+" beyond that; for a view of everything
(all-scope, no filter) on PostgreSQL it shows the planner's estimate of the table size instead ("about 1,000,000").
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections
from django.db.models import F, Field, Model, OrderBy, Q, QuerySet
from django.utils import timezone

COUNT_CAP = 10_000


@dataclass(frozen=True)
class Key:
    field: str
    desc: bool
    nullable: bool = False

    @classmethod
    def parse(cls, spec: str) -> Key:
        """ "-created_at" → descending; a trailing "?" marks a column that may be empty."""
        nullable = spec.endswith("?")
        spec = spec.rstrip("?")
        return cls(field=spec.lstrip("-"), desc=spec.startswith("-"), nullable=nullable)

    def flipped(self) -> Key:
        return Key(self.field, not self.desc, self.nullable)


def keys_for(specs: tuple[str, ...]) -> list[Key]:
    return [Key.parse(s) for s in specs]


def ordering(keys: list[Key], *, backwards: bool = False) -> list[OrderBy | str]:
    out: list[OrderBy | str] = []
    for key in keys:
        desc = key.desc != backwards
        if key.nullable:
            expr = F(key.field)
            # Empty values last going forwards, so first going backwards.
            nulls: dict[str, bool] = {"nulls_first": True} if backwards else {"nulls_last": True}
            out.append(expr.desc(**nulls) if desc else expr.asc(**nulls))
        else:
            out.append(f"-{key.field}" if desc else key.field)
    return out


def _after(keys: list[Key], values: list[Any], *, backwards: bool) -> Q:
    """Rows strictly after `values` in this order: k1 > v1 OR (k1 = v1 AND k2 > v2) OR …, NULL being last."""
    condition = Q(pk__in=[])
    prefix = Q()
    for key, value in zip(keys, values, strict=True):
        desc = key.desc != backwards
        nulls_last = not backwards
        if value is None:
            step = Q(pk__in=[]) if nulls_last else Q(**{f"{key.field}__isnull": False})
            equal = Q(**{f"{key.field}__isnull": True})
        else:
            step = Q(**{f"{key.field}__{'lt' if desc else 'gt'}": value})
            if key.nullable and nulls_last:
                step |= Q(**{f"{key.field}__isnull": True})
            equal = Q(**{key.field: value})
        condition |= prefix & step
        prefix &= equal
    return condition


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def encode(sort: str, keys: list[Key], row: Model) -> str:
    payload = {"s": sort, "v": [_plain(getattr(row, k.field)) for k in keys]}
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def decode(cursor: str, sort: str, keys: list[Key], model: type[Model]) -> list[Any] | None:
    """The row position in `cursor`, or None when it was made for another sort or cannot be read (start again)."""
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not isinstance(payload, dict) or payload.get("s") != sort:
        return None
    raw = payload.get("v")
    if not isinstance(raw, list) or len(raw) != len(keys):
        return None
    values: list[Any] = []
    for key, value in zip(keys, raw, strict=True):
        if value is None:
            if not key.nullable:
                return None
            values.append(None)
            continue
        if isinstance(value, dict | list):
            return None
        try:
            model_field = model._meta.get_field(key.field)
            if not isinstance(model_field, Field):
                return None
            typed = model_field.to_python(value)
        except (ValidationError, ValueError, TypeError, FieldDoesNotExist):
            return None
        if isinstance(typed, dt.datetime) and timezone.is_naive(typed):
            return None
        values.append(typed)
    return values


@dataclass
class KeysetPage:
    rows: list[Any]
    size: int
    next_cursor: str | None
    prev_cursor: str | None

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.prev_cursor)


def keyset_page(
    qs: QuerySet[Any], *, sort: str, specs: tuple[str, ...], size: int, after: str = "", before: str = ""
) -> KeysetPage:
    """One page of `qs` in the order `specs`, after (or before) the row a cursor names: one query of size + 1 rows."""
    keys = keys_for(specs)
    backwards = False
    position: list[Any] | None = None
    if before:
        position = decode(before, sort, keys, qs.model)
        backwards = position is not None
    elif after:
        position = decode(after, sort, keys, qs.model)
    if position is not None:
        qs = qs.filter(_after(keys, position, backwards=backwards))
    rows = list(qs.order_by(*ordering(keys, backwards=backwards))[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    next_cursor = prev_cursor = None
    if rows:
        if more or backwards:
            next_cursor = encode(sort, keys, rows[-1])
        if (more and backwards) or (position is not None and not backwards):
            prev_cursor = encode(sort, keys, rows[0])
    return KeysetPage(rows=rows, size=size, next_cursor=next_cursor, prev_cursor=prev_cursor)


@dataclass(frozen=True)
class ListCount:
    value: int
    exact: bool  # False: at least `value` (capped) or an estimate
    estimated: bool = False


def count_rows(qs: QuerySet[Any], *, everything: bool = False, cap: int | None = None) -> ListCount:
    """How many rows `qs` has: exact up to `cap`, otherwise "cap+" (or the planner's estimate for `everything`)."""
    cap = cap or COUNT_CAP
    if everything and connections[qs.db].vendor == "postgresql":
        estimate = _table_estimate(qs)
        if estimate > cap:
            return ListCount(value=estimate, exact=False, estimated=True)
    found = qs.order_by()[: cap + 1].count()
    if found > cap:
        return ListCount(value=cap, exact=False)
    return ListCount(value=found, exact=True)


def _table_estimate(qs: QuerySet[Any]) -> int:
    table = qs.model._meta.db_table
    with connections[qs.db].cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)", [table])
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] and row[0] > 0 else 0
