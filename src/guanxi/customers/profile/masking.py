"""Masking of the personal data only customers hold (ID numbers, street addresses); phone and email use core.masking."""

from __future__ import annotations

from guanxi.core.masking import mask as core_mask


def mask_id_number(value: str) -> str:
    """110101********123X for a resident ID; the first and last two characters of other documents."""
    if not value:
        return ""
    if len(value) >= 15:
        return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"
    if len(value) <= 4:
        return "*" * len(value)
    return f"{value[:2]}{'*' * (len(value) - 4)}{value[-2:]}"


def mask_line(value: str) -> str:
    """The first few characters of a street address (at most a third of it), the rest hidden."""
    if not value:
        return ""
    keep = min(6, len(value) // 3)
    return value[:keep] + "****"


def mask(field: str, value: str) -> str:
    if field == "id_number":
        return mask_id_number(value or "")
    if field in ("address", "line"):
        return mask_line(value or "")
    return core_mask(field, value or "")
