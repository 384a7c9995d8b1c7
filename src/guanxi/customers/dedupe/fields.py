"""What the merge screen offers per field, and which side is chosen when the user does not say."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from guanxi.customers.models import Customer

SENSITIVE = ("phone", "email", "id_number")
# What the merge screen offers per field: the choice key → the model fields it copies together.
FIELD_GROUPS: dict[str, tuple[str, ...]] = {
    "kind": ("kind",),
    "name": ("name",),
    "phone": ("phone", "phone_digest"),
    "email": ("email", "email_digest"),
    "owner": ("owner", "pool", "owner_since", "previous_owner", "released_at"),
    "uscc": ("uscc",),
    "id_number": ("id_number", "id_number_digest"),
    "gender": ("gender",),
    "birthday": ("birthday",),
    "lunar_birthday": ("lunar_birth_month", "lunar_birth_day", "lunar_birth_leap"),
    "industry": ("industry",),
    "company_size": ("company_size",),
    "source": ("source",),
    "lifecycle_stage": ("lifecycle_stage",),
    "value_tier": ("value_tier",),
    "region": ("province", "city"),
    "notes": ("notes",),
}
FIELD_LABELS: dict[str, Any] = {
    "kind": gettext_lazy("Type"),
    "name": gettext_lazy("Name"),
    "phone": gettext_lazy("Phone"),
    "email": gettext_lazy("Email"),
    "owner": gettext_lazy("Owner"),
    "uscc": gettext_lazy("Unified social credit code"),
    "id_number": gettext_lazy("ID number"),
    "gender": gettext_lazy("Gender"),
    "birthday": gettext_lazy("Birthday"),
    "lunar_birthday": gettext_lazy("Lunar birthday"),
    "industry": gettext_lazy("Industry"),
    "company_size": gettext_lazy("Company size"),
    "source": gettext_lazy("Source"),
    "lifecycle_stage": gettext_lazy("Lifecycle stage"),
    "value_tier": gettext_lazy("Value tier"),
    "region": gettext_lazy("Province and city"),
    "notes": gettext_lazy("Notes"),
}
SURVIVOR, MERGED, BOTH = "survivor", "merged", "both"


def attname(name: str) -> str:
    field = Customer._meta.get_field(name)
    return str(getattr(field, "attname", name))


def blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def default_sides(survivor: Customer, merged: Customer) -> dict[str, str]:
    """Keep the survivor's value unless it is empty (then take the merged one's); the survivor's owner always."""
    out: dict[str, str] = {}
    for key, names in FIELD_GROUPS.items():
        empty = all(blank(getattr(survivor, attname(n))) for n in names)
        out[key] = MERGED if key != "owner" and empty else SURVIVOR
    for ckey in set(survivor.custom or {}) | set(merged.custom or {}):
        out[f"custom:{ckey}"] = MERGED if blank((survivor.custom or {}).get(ckey)) else SURVIVOR
    return out
