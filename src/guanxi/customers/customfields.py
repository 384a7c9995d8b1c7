"""Admin-defined custom fields: which exist (`custom_field_definitions`) and how their values are checked
(`validate_custom_values`). Lists, filters, import, export, forms and the API all go through these two functions.

Values live in `Customer.custom` as JSON: text → str, number → int or float, date → "YYYY-MM-DD", choice → str,
multi_choice → list[str], boolean → bool.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from guanxi.customers.models import CustomFieldDefinition

Type = CustomFieldDefinition.Type
_TRUE = {"1", "true", "yes", "y", "on", "是", "对", "對"}
_FALSE = {"0", "false", "no", "n", "off", "否", "不"}


def custom_field_definitions(request: Any = None, *, include_inactive: bool = False) -> list[CustomFieldDefinition]:
    """The custom fields in display order (only active ones unless asked). With a request: one query per request."""
    attr = "_guanxi_custom_fields_all" if include_inactive else "_guanxi_custom_fields"
    cached: list[CustomFieldDefinition] | None = getattr(request, attr, None) if request is not None else None
    if cached is not None:
        return cached
    qs = CustomFieldDefinition.objects.all()
    if not include_inactive:
        qs = qs.filter(active=True)
    found = list(qs.order_by("order", "key"))
    if request is not None:
        setattr(request, attr, found)
    return found


def choice_values(definition: CustomFieldDefinition) -> list[str]:
    return [str(c) for c in (definition.choices or [])]


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _number(definition: CustomFieldDefinition, value: Any) -> int | float:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float):
        return value
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError from None
    if not number.is_finite():
        raise ValueError
    return int(number) if number == number.to_integral_value() else float(number)


def clean_custom_value(definition: CustomFieldDefinition, value: Any) -> Any:
    """One value in its stored JSON form; ValidationError (a message naming the label) if it is wrong."""
    label = definition.label
    kind = definition.type
    if kind == Type.TEXT:
        text = str(value).strip()
        if len(text) > 1000:
            raise ValidationError(_("%(label)s: at most 1,000 characters.") % {"label": label})
        return text
    if kind == Type.NUMBER:
        try:
            return _number(definition, value)
        except ValueError:
            raise ValidationError(_("%(label)s: enter a number, e.g. 12 or 3.5.") % {"label": label}) from None
    if kind == Type.DATE:
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        try:
            return dt.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise ValidationError(
                _("%(label)s: enter a date as YYYY-MM-DD, e.g. 2025-03-31.") % {"label": label}
            ) from None
    if kind == Type.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValidationError(_("%(label)s: answer yes or no.") % {"label": label})
    allowed = choice_values(definition)
    if kind == Type.CHOICE:
        text = str(value).strip()
        if text not in allowed:
            raise ValidationError(
                _("%(label)s: “%(value)s” is not one of the choices (%(choices)s).")
                % {"label": label, "value": text, "choices": ", ".join(allowed)}
            )
        return text
    if kind == Type.MULTI_CHOICE:
        items = value if isinstance(value, list | tuple) else str(value).replace("；", ";").split(";")
        chosen = [str(v).strip() for v in items if str(v).strip()]
        wrong = [v for v in chosen if v not in allowed]
        if wrong:
            raise ValidationError(
                _("%(label)s: “%(value)s” is not one of the choices (%(choices)s).")
                % {"label": label, "value": ", ".join(wrong), "choices": ", ".join(allowed)}
            )
        return [v for v in allowed if v in chosen]  # choice order, no repeats
    raise ValidationError(_("%(label)s: this field has an unknown type.") % {"label": label})


def validate_custom_values(definitions: list[CustomFieldDefinition], raw: dict[str, Any]) -> dict[str, Any]:
    """The values of `raw` for these definitions, converted; empty values are left out.

    Raises ValidationError keyed by field key: a value of the wrong type, a required field left empty, or a key that is
    not one of the definitions.
    """
    by_key = {d.key: d for d in definitions}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for key in raw:
        if key not in by_key:
            errors[key] = [_("There is no custom field “%(key)s”.") % {"key": key}]
    for definition in definitions:
        value = raw.get(definition.key)
        if _empty(value):
            if definition.required:
                errors[definition.key] = [_("%(label)s: this field is required.") % {"label": definition.label}]
            continue
        try:
            cleaned[definition.key] = clean_custom_value(definition, value)
        except ValidationError as exc:
            errors[definition.key] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def display_value(definition: CustomFieldDefinition, value: Any) -> str:
    """A stored value as a reader sees it."""
    if value is None or value == "" or value == []:
        return ""
    if definition.type == Type.BOOLEAN:
        return _("Yes") if value else _("No")
    if definition.type == Type.MULTI_CHOICE and isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
