"""What the duplicate area adds to the customer 360 page: a "Merge with…" action and the list of merges into it."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from guanxi.customers.dedupe.selectors import merge_records_for


def merge_action(request: Any, customer: Any) -> list[dict[str, Any]]:
    if not request.user.has_perm("customers.merge"):
        return []
    return [{"label": _("Merge with…"), "url": reverse("customers:merge", args=[customer.pk]), "hx": False}]


def merges_panel(request: Any, customer: Any) -> dict[str, Any] | None:
    records = merge_records_for(actor=request.user, customer=customer)
    if not records:
        return None
    return {
        "title": _("Merged records"),
        "template": "customers/dedupe/_merges_panel.html",
        "context": {"merge_records": records},
        "order": 90,
        "column": "left",
    }
