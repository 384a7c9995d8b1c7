"""What customers adds to shared screens: the dashboard card and the global search section."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from guanxi.core.masking import mask
from guanxi.customers import selectors
from guanxi.customers.search.selectors import customer_search


def my_customers_card(request: Any) -> dict[str, Any] | None:
    if not request.user.has_perm("customers.view"):
        return None
    count = selectors.customer_list(actor=request.user, filters=selectors.CustomerFilter(owner="me")).count()
    return {"title": _("My customers"), "value": count, "url": reverse("customers:list") + "?owner=me"}


def customer_search_section(request: Any, q: str) -> dict[str, Any] | None:
    if not request.user.has_perm("customers.view"):
        return None
    found = customer_search(actor=request.user, q=q, limit=8)
    return {
        "title": _("Customers"),
        "items": [
            {"label": c.name, "detail": mask("phone", c.phone) or mask("email", c.email), "url": c.get_absolute_url()}
            for c in found
        ],
        "more_url": reverse("customers:list") + "?" + urlencode({"q": q}),
    }
