"""Reads of the public pools, through the acting user's scope. Shared by the pool page, the dialogs and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from guanxi.accounts import scoping
from guanxi.customers.models import Customer, Industry, OwnershipEvent, Pool, PoolRule
from guanxi.customers.pools.services import MANAGE_PERMISSION, day_start
from guanxi.customers.search.selectors import apply_search
from guanxi.customers.visibility import pools_of


@dataclass
class PoolCustomerFilter:
    """The public pool page's filters; the htmx page and the API build the same object."""

    pool: int | None = None
    city: str = ""
    industry: str = ""
    released_from: dt.date | None = None
    released_to: dt.date | None = None
    q: str = ""


def pools_for(*, actor: Any) -> QuerySet[Pool]:
    """The pools the actor belongs to (member, admin or through a department), by name."""
    return pools_of(actor).order_by("name")


def pool_customers(*, actor: Any, filters: PoolCustomerFilter | None = None) -> QuerySet[Customer]:
    """Customers waiting in the pools the actor belongs to, newest release first."""
    filters = filters or PoolCustomerFilter()
    mine = pools_of(actor).values("pk")
    qs = scoping.scope(actor, Customer.objects.select_related("pool", "previous_owner"))
    qs = qs.filter(owner__isnull=True, pool__in=mine)
    if filters.pool:
        qs = qs.filter(pool_id=filters.pool)
    if filters.city:
        qs = qs.filter(city__icontains=filters.city)
    if filters.industry in Industry.values and filters.industry:
        qs = qs.filter(industry=filters.industry)
    if filters.released_from:
        qs = qs.filter(released_at__gte=day_start(filters.released_from))
    if filters.released_to:
        qs = qs.filter(released_at__lt=day_start(filters.released_to + dt.timedelta(days=1)))
    if filters.q:
        qs = apply_search(qs, filters.q)
    return qs.order_by("-released_at", "-id")


def ownership_events(*, actor: Any, customer: Customer, limit: int = 50) -> list[OwnershipEvent]:
    """The ownership history of a customer the actor may see (404 otherwise), newest first."""
    scoping.get_scoped_or_404(actor, Customer.objects.all(), pk=customer.pk)
    return list(
        OwnershipEvent.objects.filter(customer_id=customer.pk)
        .select_related("actor", "from_user", "to_user", "pool")
        .order_by("-at", "-id")[:limit]
    )


def _require_manager(actor: Any) -> None:
    if not actor.has_perm(MANAGE_PERMISSION):
        raise PermissionDenied


def pool_admin_list(*, actor: Any) -> QuerySet[Pool]:
    """Every pool with its counts, for the people who manage pools."""
    _require_manager(actor)
    return Pool.objects.annotate(
        waiting=Count("customers", filter=Q(customers__owner__isnull=True), distinct=True),
        rule_count=Count("rules", distinct=True),
    ).order_by("-is_default", "name")


def pool_admin_get(*, actor: Any, pk: Any) -> Pool:
    _require_manager(actor)
    try:
        return Pool.objects.prefetch_related("members", "member_departments", "admins").get(pk=pk)
    except (Pool.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def pool_rules(*, actor: Any, pool: Pool) -> QuerySet[PoolRule]:
    _require_manager(actor)
    return PoolRule.objects.filter(pool=pool).order_by("value_tier", "pk")


def pool_rule_get(*, actor: Any, pk: Any) -> PoolRule:
    _require_manager(actor)
    try:
        return PoolRule.objects.select_related("pool").get(pk=pk)
    except (PoolRule.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def pool_choices(*, actor: Any) -> QuerySet[Pool]:
    """The pools a customer may be released to: every pool (a rep releases to pools they do not belong to)."""
    return Pool.objects.order_by("-is_default", "name")
