"""Cursor (keyset) pagination for the API: stable under inserts and fast on large tables.

The cursor is an opaque, URL-safe string holding the sort values of the last row returned. Only orderings whose last
key is the primary key are supported, which makes every cursor position unique.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

M = TypeVar("M", bound=Model)


@dataclass
class CursorPage(Generic[M]):
    items: list[M]
    next_cursor: str | None


def _encode(values: list[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, dt.datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(cursor: str, fields: list[str], model: type[Model]) -> list[Any]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(fields):
            raise ValueError
        values = []
        for name, value in zip(fields, raw, strict=True):
            field = model._meta.get_field(name.lstrip("-"))
            values.append(field.to_python(value))
        return values
    except (ValueError, TypeError, json.JSONDecodeError, ValidationError):
        raise ValidationError({"cursor": _("This cursor is not valid; start again without one.")}) from None


def cursor_paginate(queryset: QuerySet[M], *, cursor: str | None, limit: int) -> CursorPage[M]:
    ordering = list(queryset.query.order_by)
    if not ordering or ordering[-1].lstrip("-") not in ("id", "pk"):
        raise ValueError("cursor_paginate needs an ordering that ends with the primary key")
    fields = [f.replace("pk", "id") for f in ordering]
    if cursor:
        values = _decode(cursor, fields, queryset.model)
        # (a, b, id) after (va, vb, vid): a > va OR (a = va AND b > vb) OR … in the direction of each key.
        condition = Q()
        for i, name in enumerate(fields):
            key = name.lstrip("-")
            step = Q(**{f"{key}__{'lt' if name.startswith('-') else 'gt'}": values[i]})
            for prev_name, prev_value in zip(fields[:i], values[:i], strict=True):
                step &= Q(**{prev_name.lstrip("-"): prev_value})
            condition |= step
        queryset = queryset.filter(condition)
    rows = list(queryset[: limit + 1])
    items = rows[:limit]
    next_cursor = None
    if len(rows) > limit and items:
        last = items[-1]
        next_cursor = _encode([getattr(last, name.lstrip("-")) for name in fields])
    return CursorPage(items=items, next_cursor=next_cursor)
