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


@dataclass(frozen=True)
class TimelineEntry:
    """One item on a customer's 360 timeline, contributed by any app (interactions, ownership events, orders…)."""

    at: Any  # aware datetime; the timeline is sorted by it, newest first
    kind: str  # a key from `registry.timeline_kinds` (the filter chips)
    title: str
    body: str = ""
    actor: str = ""
    url: str = ""
    template: str = ""  # optional template rendering this entry instead of the default
    context: dict[str, Any] = field(default_factory=dict)
    key: str = ""  # unique per entry, e.g. "interaction:12", used for stable paging


# (actor, customer, kinds or None for all, before or None, limit) -> up to `limit` entries older than `before`.
TimelineProvider = Callable[[Any, Any, "set[str] | None", Any, int], "list[TimelineEntry]"]


@dataclass
class Registry:
    menu: list[MenuItem] = field(default_factory=list)
    # Each takes the request and returns a card {"title", "value", "url"} or None.
    dashboard_cards: list[Callable[[Any], dict[str, Any] | None]] = field(default_factory=list)
    # Each takes (request, q) and returns {"title", "items": [{"label", "detail", "url"}], "more_url"} or None.
    search_providers: list[Callable[[Any, str], dict[str, Any] | None]] = field(default_factory=list)
    # The customer 360 page: timeline sources, their filter chips {kind: label}, and side panels.
    timeline_providers: list[TimelineProvider] = field(default_factory=list)
    timeline_kinds: dict[str, Any] = field(default_factory=dict)
    # Each takes (request, customer) and returns {"title", "template", "context", "order", "column"} or None;
    # column is "left" (profile side) or "right" (follow-ups, opportunities, alerts).
    customer_panels: list[Callable[[Any, Any], dict[str, Any] | None]] = field(default_factory=list)
    # Each takes (request, customer) and returns [{"label", "url", "hx": bool}] for the 360 header's main actions.
    customer_actions: list[Callable[[Any, Any], list[dict[str, Any]]]] = field(default_factory=list)

    def add_menu(self, item: MenuItem) -> None:
        if any(existing.key == item.key for existing in self.menu):
            return
        self.menu.append(item)
        self.menu.sort(key=lambda m: (m.section, m.order))


registry = Registry()
