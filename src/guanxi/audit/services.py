"""Writing the audit log. Services call `audit_record` inside their transaction: the entry commits with the change."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models

from guanxi.audit.context import current_ip
from guanxi.audit.models import AuditEntry


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields` (foreign keys as ids, many-to-many as sorted ids), for diffing before and after.

    Values are made JSON-plain (dates as ISO strings, decimals and UUIDs as strings) so that a snapshot taken before a
    change compares equal to one taken after it when nothing changed.
    """
    out: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            # Related ids, sorted; an unsaved object has none yet (and cannot be asked).
            out[name] = sorted(getattr(obj, name).values_list("pk", flat=True)) if obj.pk is not None else []
            continue
        attname = getattr(field, "attname", name)
        out[name] = _plain(getattr(obj, attname))
    return out


def diff(before: dict[str, Any], after: dict[str, Any], *, masked: Iterable[str] = ()) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields that changed, in field order.

    A field missing from one side counts as None there (so a creation diffs against `{}`). For `masked` fields (personal
    data) the log records that the field changed, never its values: both sides are written as "***".
    """
    hidden = set(masked)
    changes: dict[str, list[Any]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            changes[key] = ["***", "***"] if key in hidden else [old, new]
    return changes


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    detail: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    ip: str | None = None,
) -> AuditEntry:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    user = actor if getattr(actor, "is_authenticated", False) else None
    entry = AuditEntry(
        actor=user,
        actor_name=(user.get_username() if user is not None else str(actor or ""))[:150],
        ip=ip if ip is not None else current_ip.get(),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        changes=_plain(changes or {}),
        detail=detail[:255],
    )
    entry.save()
    return entry
