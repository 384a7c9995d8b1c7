"""Every read of customers that a user sees, always through the acting user's scope. Shared by the UI and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from guanxi.accounts import scoping
from guanxi.customers.lists.filters import (
    DEFAULT_SORT,
    LIST_SORTS,
    NULLABLE_SORTS,
    SORTS,
    CustomerFilter,
    apply_filter,
    filter_from_query,
    filter_to_params,
)
from guanxi.customers.lists.paging import ListCount, count_rows, keys_for, ordering
from guanxi.customers.models import Customer, Pool, SavedView, Tag
from guanxi.customers.search.selectors import apply_search

__all__ = [
    "DEFAULT_SORT",
    "LIST_SORTS",
    "SORTS",
    "CustomerFilter",
    "customer_count",
    "customer_get",
    "customer_ids_in_scope",
    "customer_list",
    "customers_exist",
    "default_view_for",
    "filter_from_query",
    "filter_to_params",
    "list_pools",
    "list_tags",
    "saved_view_get",
    "saved_views_for",
]


def customer_list(*, actor: Any, filters: CustomerFilter | None = None) -> QuerySet[Customer]:
    """The customers in the actor's scope that match `filters`, in the filter's sort.

    Sorts on columns that are never empty order by plain field names (the API's cursor pagination reads them); sorts
    on columns that may be empty put the empty ones last.
    """
    filters = filters or CustomerFilter()
    qs = scoping.scope(actor, Customer.objects.select_related("owner"))
    qs = apply_search(qs, filters.q)
    qs = apply_filter(qs, filters, actor=actor)
    if filters.sort in NULLABLE_SORTS:
        return qs.order_by(*ordering(keys_for(NULLABLE_SORTS[filters.sort])))
    return qs.order_by(*LIST_SORTS.get(filters.sort, SORTS[DEFAULT_SORT]))


def customer_count(*, actor: Any, filters: CustomerFilter, queryset: QuerySet[Customer]) -> ListCount:
    """How many customers `queryset` (from `customer_list`) holds, cheaply on big tables (see lists/paging.py)."""
    everything = filters.is_empty() and scoping.user_scope(actor, "customers") == "all"
    return count_rows(queryset, everything=everything)


def customer_get(*, actor: Any, pk: Any) -> Customer:
    """One customer inside the actor's scope, or Http404."""
    return scoping.get_scoped_or_404(actor, Customer.objects.select_related("owner", "created_by"), pk=pk)


def saved_views_for(*, actor: Any) -> QuerySet[SavedView]:
    """The actor's own saved views and every shared one."""
    return SavedView.objects.filter(Q(user=actor) | Q(shared=True)).select_related("user").order_by("name", "id")


def saved_view_get(*, actor: Any, pk: Any) -> SavedView | None:
    """A saved view the actor may use (their own or a shared one), or None."""
    try:
        return saved_views_for(actor=actor).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def default_view_for(*, actor: Any) -> SavedView | None:
    return SavedView.objects.filter(user=actor, is_default=True).order_by("-updated_at").first()


def list_tags() -> QuerySet[Tag]:
    return Tag.objects.order_by("name")


def list_pools() -> QuerySet[Pool]:
    return Pool.objects.order_by("name")


def customer_ids_in_scope(*, actor: Any, ids: list[int]) -> list[int]:
    """Which of `ids` the actor may see (for "delete N customers?" before anything changes)."""
    return list(scoping.scope(actor, Customer.objects.filter(pk__in=ids)).values_list("pk", flat=True))


def customers_exist(*, actor: Any) -> bool:
    """Whether the actor may see any customer at all (tells "no matches" from "nothing yet")."""
    return scoping.scope(actor, Customer.objects.all()).exists()
