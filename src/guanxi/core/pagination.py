"""Cursor (keyset) pagination for the API: stable under inserts and fast on large tables.

The cursor is an opaque, URL-safe string holding the ordering it was made for and the sort values of the last row
returned. The next page is "every row after that position in that ordering", one indexed range condition instead of an
OFFSET, so walking a table of millions costs the same on page 1 and page 10 000, and rows inserted meanwhile never
shift a page.

Rules for the queryset:
- its ordering (``order_by(...)`` or the model's ``Meta.ordering``) is a list of plain field names on the model itself;
- the last key is the primary key, which makes every position unique even when many rows share the other values;
- the other keys are not nullable (NULLs do not compare, so they would fall out of the range condition).

A cursor made for one ordering is refused for another, and a cursor that cannot be read raises a ValidationError
naming ``cursor``, which the API turns into a 422.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Field, Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

M = TypeVar("M", bound=Model)

MIN_LIMIT = 1
MAX_LIMIT = 200
DEFAULT_LIMIT = 50


@dataclass
class CursorPage(Generic[M]):
    items: list[M]
    next_cursor: str | None


def _invalid() -> ValidationError:
    return ValidationError({"cursor": [_("This cursor is not valid; start again without one.")]})


def _ordering(queryset: QuerySet[M]) -> list[str]:
    """The ordering as plain field names with an optional leading "-", primary key spelled "id"."""
    model = queryset.model
    raw = list(queryset.query.order_by or ()) or list(model._meta.ordering or ())
    pk_name = model._meta.pk.name if model._meta.pk is not None else "id"
    ordering: list[str] = []
    for item in raw:
        if not isinstance(item, str) or "__" in item or item.lstrip("-") in ("", "?"):
            raise ValueError(f"cursor_paginate supports plain field names only, not {item!r}")
        desc, name = item.startswith("-"), item.lstrip("-")
        name = pk_name if name == "pk" else name
        ordering.append(f"-{name}" if desc else name)
    if not ordering or ordering[-1].lstrip("-") != pk_name:
        raise ValueError("cursor_paginate needs an ordering that ends with the primary key")
    for name in ordering[:-1]:
        if _field(model, name).null:
            raise ValueError(f"cursor_paginate cannot order by the nullable field {name.lstrip('-')!r}")
    return ordering


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name.lstrip("-"))
    if not isinstance(field, Field):
        raise ValueError(f"{name!r} is not a concrete field")
    return field


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def encode_cursor(ordering: list[str], values: list[Any]) -> str:
    payload = {"o": ordering, "v": [_plain(v) for v in values]}
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, ordering: list[str], model: type[Model]) -> list[Any]:
    """The typed sort values in `cursor`; a ValidationError naming `cursor` if it was not made for `ordering`."""
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _invalid() from None
    if not isinstance(payload, dict) or payload.get("o") != ordering:
        raise _invalid()
    raw = payload.get("v")
    if not isinstance(raw, list) or len(raw) != len(ordering):
        raise _invalid()
    values: list[Any] = []
    for name, value in zip(ordering, raw, strict=True):
        if value is None or isinstance(value, dict | list | bool):
            raise _invalid()
        try:
            typed = _field(model, name).to_python(value)
        except (ValidationError, ValueError, TypeError, FieldDoesNotExist):
            raise _invalid() from None
        if typed is None or (isinstance(typed, dt.datetime) and timezone.is_naive(typed)):
            raise _invalid()
        values.append(typed)
    return values


def _after(ordering: list[str], values: list[Any]) -> Q:
    """Rows strictly after `values` in `ordering`: (a, b, id) > (va, vb, vid), each key in its own direction.

    a > va OR (a = va AND b > vb) OR (a = va AND b = vb AND id > vid), with < for descending keys.
    """
    condition = Q()
    for i, name in enumerate(ordering):
        key = name.lstrip("-")
        step = Q(**{f"{key}__{'lt' if name.startswith('-') else 'gt'}": values[i]})
        for prev_name, prev_value in zip(ordering[:i], values[:i], strict=True):
            step &= Q(**{prev_name.lstrip("-"): prev_value})
        condition |= step
    return condition


def cursor_paginate(queryset: QuerySet[M], *, cursor: str | None, limit: int = DEFAULT_LIMIT) -> CursorPage[M]:
    """One page of `queryset` after `cursor` (from the start without one): one query of `limit + 1` rows."""
    if not MIN_LIMIT <= limit <= MAX_LIMIT:
        raise ValidationError(
            {"limit": [_("Ask for between %(min)d and %(max)d rows.") % {"min": MIN_LIMIT, "max": MAX_LIMIT}]}
        )
    ordering = _ordering(queryset)
    if cursor:
        queryset = queryset.filter(_after(ordering, decode_cursor(cursor, ordering, queryset.model)))
    rows = list(queryset.order_by(*ordering)[: limit + 1])
    items = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = encode_cursor(ordering, [getattr(last, name.lstrip("-")) for name in ordering])
    return CursorPage(items=items, next_cursor=next_cursor)
