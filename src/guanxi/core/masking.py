"""Masking of personal data for display: `138****5678`, `z***@example.com`."""

from __future__ import annotations


def mask_phone(value: str) -> str:
    digits = value.lstrip("+")
    if len(digits) <= 4:
        return "*" * len(value)
    if value.startswith("+86") and len(value) == 14:
        national = value[3:]
        return f"{national[:3]}****{national[-4:]}"
    keep = 3 if len(value) > 8 else 1
    return f"{value[: keep + (1 if value.startswith('+') else 0)]}****{value[-4:]}"


def mask_email(value: str) -> str:
    if "@" not in value:
        return "***" if value else ""
    local, domain = value.split("@", 1)
    return f"{local[:1]}***@{domain}"


MASKERS = {"phone": mask_phone, "email": mask_email}


def mask(field: str, value: str) -> str:
    if not value:
        return ""
    return MASKERS[field](value)
