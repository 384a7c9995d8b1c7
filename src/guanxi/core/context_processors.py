from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from guanxi.core.registry import registry


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items: list[dict[str, Any]] = []
    path = request.path
    for item in registry.menu:
        if item.permission and not user.has_perm(item.permission):
            continue
        url = reverse(item.url_name)
        items.append({"key": item.key, "label": item.label, "url": url, "icon": item.icon, "section": item.section})
    # The active entry is the one whose URL is the longest prefix of the current path (/customers/pool/ is the pool's).
    matches = [i for i in items if (path.startswith(i["url"]) if i["url"] != "/" else path == "/")]
    active = max(matches, key=lambda i: len(i["url"]))["key"] if matches else None
    for i in items:
        i["active"] = i["key"] == active
    return {
        "nav_items": [i for i in items if i["section"] == "main"],
        "nav_admin_items": [i for i in items if i["section"] == "admin"],
    }
