"""Template filters that present audit entries: the field-level diff, values, object types and links. No queries."""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from guanxi.audit.models import AuditEntry
from guanxi.audit.registry import field_label, object_type_label, object_url

register = template.Library()


@register.filter
def audit_changes(entry: AuditEntry) -> list[dict[str, Any]]:
    """The entry's changes ({field: [old, new]}) as rows with the field's label, in field order."""
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    rows = []
    for field, value in sorted(changes.items()):
        if isinstance(value, list | tuple) and len(value) == 2:
            old, new = value
        else:
            old, new = None, value
        rows.append({"field": field, "label": field_label(entry.object_type, field), "old": old, "new": new})
    return rows


@register.filter
def audit_value(value: Any) -> str:
    """One side of a change, readable: empty as a dash, yes/no, lists and objects as compact JSON."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


@register.filter
def audit_object_url(entry: AuditEntry) -> str | None:
    return object_url(entry.object_type, entry.object_id)


@register.filter
def audit_object_type(object_type: str) -> str:
    return object_type_label(object_type) if object_type else ""


@register.filter
def audit_history_url(entry: AuditEntry) -> str | None:
    """The history page of the entry's object, when the entry names one."""
    if not entry.object_type or not entry.object_id:
        return None
    try:
        return reverse("audit:object_history", args=[entry.object_type, entry.object_id])
    except NoReverseMatch:
        return None


ACTION_COLOURS = {
    AuditEntry.Action.CREATE: "green",
    AuditEntry.Action.UPDATE: "blue",
    AuditEntry.Action.DELETE: "red",
    AuditEntry.Action.LOGIN_FAILED: "orange",
    AuditEntry.Action.EXPORT: "purple",
    AuditEntry.Action.REVEAL: "yellow",
    AuditEntry.Action.TOKEN: "azure",
}


@register.filter
def audit_action_colour(action: str) -> str:
    """A Tabler colour for the action badge (the badge always shows the action's name too)."""
    return ACTION_COLOURS.get(action, "secondary")  # type: ignore[call-overload]
