"""The columns a customer list can show: the standard fields and the custom fields marked "show in lists".

`cells()` turns a page of customers into what the table template prints, so the template stays a loop.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from guanxi.core.masking import mask
from guanxi.customers.models import Customer, CustomFieldDefinition


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    sort: str = ""  # the sort key ("name" → ?sort=name / -name); empty: not sortable
    kind: str = "text"  # text, link, num, date, datetime, tags, masked
    definition: CustomFieldDefinition | None = field(default=None, compare=False)


STANDARD: list[Column] = [
    Column("name", _("Name"), "name", "link"),
    Column("kind", _("Type"), "kind"),
    Column("phone", _("Phone"), "", "masked"),
    Column("email", _("Email"), "", "masked"),
    Column("owner", _("Owner"), "owner"),
    Column("pool", _("Public pool")),
    Column("lifecycle_stage", _("Lifecycle stage"), "lifecycle_stage"),
    Column("value_tier", _("Value tier"), "value_tier"),
    Column("source", _("Source"), "source"),
    Column("industry", _("Industry"), "industry"),
    Column("company_size", _("Company size"), "company_size"),
    Column("gender", _("Gender"), "gender"),
    Column("province", _("Province"), "province"),
    Column("city", _("City"), "city"),
    Column("tags", _("Tags"), "", "tags"),
    Column("last_follow_up", _("Last follow-up"), "last_follow_up", "datetime"),
    Column("next_contact", _("Next contact"), "next_contact", "datetime"),
    Column("locked", _("Locked"), "locked"),
    Column("created", _("Created"), "created", "date"),
    Column("updated", _("Updated"), "updated", "date"),
]
DEFAULT_COLUMNS = ["name", "kind", "phone", "email", "owner", "lifecycle_stage", "tags", "last_follow_up", "created"]
_STANDARD_BY_KEY = {c.key: c for c in STANDARD}


def available_columns(definitions: Iterable[CustomFieldDefinition]) -> list[Column]:
    """Every column a user may choose: the standard ones, then custom fields marked to show in lists."""
    custom = [
        Column(f"cf_{d.key}", d.label, "", "num" if d.type == CustomFieldDefinition.Type.NUMBER else "text", d)
        for d in definitions
        if d.show_in_list
    ]
    return [*STANDARD, *custom]


def chosen_columns(keys: Iterable[str], available: list[Column]) -> list[Column]:
    """The columns named by `keys` in that order (unknown keys dropped); the name always comes first."""
    by_key = {c.key: c for c in available}
    picked = [by_key[k] for k in dict.fromkeys(keys) if k in by_key]
    if not picked:
        picked = [by_key[k] for k in DEFAULT_COLUMNS if k in by_key]
    if picked[0].key != "name":
        picked = [_STANDARD_BY_KEY["name"], *[c for c in picked if c.key != "name"]]
    return picked


def parse_columns(raw: Iterable[str]) -> list[str]:
    keys: list[str] = []
    for item in raw:
        keys.extend(part.strip() for part in str(item).split(",") if part.strip())
    return keys


def needs_tags(columns: list[Column]) -> bool:
    return any(c.key == "tags" for c in columns)


def needs_pool(columns: list[Column]) -> bool:
    return any(c.key == "pool" for c in columns)


def _value(column: Column, c: Customer) -> Any:
    key = column.key
    if column.definition is not None:
        from guanxi.customers.customfields import display_value

        return display_value(column.definition, (c.custom or {}).get(column.definition.key))
    if key == "name":
        return c.name
    if key in ("phone", "email"):
        return mask(key, getattr(c, key) or "")
    if key == "owner":
        return str(c.owner) if c.owner_id else _("Public pool")
    if key == "pool":
        return str(c.pool) if c.pool_id else ""
    if key in ("kind", "lifecycle_stage", "source", "industry", "company_size", "gender"):
        return getattr(c, f"get_{key}_display")()
    if key == "tags":
        return list(c.tags.all())
    if key == "last_follow_up":
        return c.last_follow_up_at
    if key == "next_contact":
        return c.next_contact_at
    if key == "locked":
        return _("Yes") if c.locked else ""
    if key == "created":
        return c.created_at
    if key == "updated":
        return c.updated_at
    return getattr(c, key, "")


def cells(customers: Iterable[Customer], columns: list[Column]) -> list[tuple[Customer, list[tuple[Column, Any]]]]:
    return [(c, [(col, _value(col, c)) for col in columns]) for c in customers]
