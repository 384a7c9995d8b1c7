from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

REQUIRED_VENDOR_FILES = [
    "htmx/htmx.min.js",
    "tabler/tabler.min.css",
    "tabler/tabler.min.js",
    "echarts/echarts.min.js",
    "sortablejs/Sortable.min.js",
]


@register(Tags.staticfiles)
def vendor_assets_check(app_configs: Any, **kwargs: Any) -> list[Error]:
    missing = [f for f in REQUIRED_VENDOR_FILES if not (settings.STATIC_VENDOR_DIR / f).is_file()]
    if missing:
        return [
            Error(
                f"front-end libraries missing from {settings.STATIC_VENDOR_DIR}: {', '.join(missing)}",
                hint="run `make assets` (npm ci, then scripts/vendor_assets.py)",
                id="guanxi.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def field_key_check(app_configs: Any, **kwargs: Any) -> list[Error]:
    if not settings.FIELD_KEY:
        return [
            Error(
                "GUANXI_FIELD_KEY is not set: personal data would be encrypted with a key derived from the secret key",
                hint="set GUANXI_FIELD_KEY to a long random value and keep it with your backups",
                id="guanxi.E002",
            )
        ]
    return []
