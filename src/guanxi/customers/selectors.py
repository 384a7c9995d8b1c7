"""Every read of customers that a user sees, always through the acting user's scope. Shared by the UI and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from guanxi.accounts import scoping
from guanxi.customers.models import Customer
from guanxi.customers.search.selectors import apply_search

SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
}
DEFAULT_SORT = "-created"


@dataclass
class CustomerFilter:
    """The filters of the customer list; the htmx page and the API build the same object from their query strings."""

    q: str = ""
    kind: str = ""
    owner: str = ""  # a user id, "me" or "none"
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    sort: str = DEFAULT_SORT


def customer_list(*, actor: Any, filters: CustomerFilter | None = None) -> QuerySet[Customer]:
    filters = filters or CustomerFilter()
    qs = scoping.scope(actor, Customer.objects.select_related("owner"))
    qs = apply_search(qs, filters.q)
    if filters.kind in Customer.Kind.values:
        qs = qs.filter(kind=filters.kind)
    if filters.owner == "me":
        qs = qs.filter(owner=actor)
    elif filters.owner == "none":
        qs = qs.filter(owner__isnull=True)
    elif filters.owner.isdigit():
        qs = qs.filter(owner_id=int(filters.owner))
    if filters.created_from:
        qs = qs.filter(created_at__date__gte=filters.created_from)
    if filters.created_to:
        qs = qs.filter(created_at__date__lte=filters.created_to)
    return qs.order_by(*SORTS.get(filters.sort, SORTS[DEFAULT_SORT]))


def customer_get(*, actor: Any, pk: Any) -> Customer:
    """One customer inside the actor's scope, or Http404."""
    return scoping.get_scoped_or_404(actor, Customer.objects.select_related("owner", "created_by"), pk=pk)
