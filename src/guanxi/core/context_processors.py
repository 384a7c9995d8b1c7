from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from guanxi.core.registry import registry


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = []
    path = request.path
    for item in registry.menu:
        if item.permission and not user.has_perm(item.permission):
            continue
        url = reverse(item.url_name)
        items.append(
            {
                "key": item.key,
                "label": item.label,
                "url": url,
                "icon": item.icon,
                "section": item.section,
                "active": path.startswith(url) if url != "/" else path == "/",
            }
        )
    return {
        "nav_items": [i for i in items if i["section"] == "main"],
        "nav_admin_items": [i for i in items if i["section"] == "admin"],
    }
