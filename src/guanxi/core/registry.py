"""Small registries through which apps contribute to shared screens without the lower apps importing them.

Each app registers its menu entries (and later 360 tabs, timeline entries, dashboard cards) in `AppConfig.ready`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class MenuItem:
    key: str
    label: str | Promise
    url_name: str
    icon: str = ""
    permission: str | None = None
    order: int = 100
    section: str = "main"


@dataclass
class Registry:
    menu: list[MenuItem] = field(default_factory=list)
    # Each takes the request and returns a card {"title", "value", "url"} or None.
    dashboard_cards: list[Callable[[Any], dict[str, Any] | None]] = field(default_factory=list)
    # Each takes (request, q) and returns {"title", "items": [{"label", "detail", "url"}], "more_url"} or None.
    search_providers: list[Callable[[Any, str], dict[str, Any] | None]] = field(default_factory=list)

    def add_menu(self, item: MenuItem) -> None:
        if any(existing.key == item.key for existing in self.menu):
            return
        self.menu.append(item)
        self.menu.sort(key=lambda m: (m.section, m.order))


registry = Registry()
