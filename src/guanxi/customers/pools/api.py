"""Ownership and the public pools in the REST API: the same selectors and services as the pages.

A customer outside the caller's scope answers 404 before anything else is looked at; the services' rules answer 422.
"""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router

from guanxi.accounts.models import ApiToken, User
from guanxi.core.pagination import cursor_paginate
from guanxi.customers import selectors as customer_selectors
from guanxi.customers.models import Customer, Pool
from guanxi.customers.pools import selectors, services
from guanxi.customers.pools.schemas import (
    AssignIn,
    BulkAssignIn,
    BulkOut,
    BulkReleaseIn,
    LockIn,
    OwnershipOut,
    PoolCustomerPage,
    PoolCustomerQuery,
    PoolOut,
    ReleaseIn,
)

router = Router()


def _actor(request: HttpRequest, perm: str, token_scope: str = ApiToken.Scope.READ) -> User:
    # customers.api mounts this router when it is imported, so its access check is looked up at call time.
    from guanxi.customers.api import _actor as access_check

    return access_check(request, perm, token_scope)


def _doc(text: Promise) -> str:
    """ninja types a summary as str; a lazy string is rendered in the reader's language whenever the schema is built."""
    return cast(str, text)


def _pool_ref(pool: Pool | None) -> dict[str, Any] | None:
    return {"id": pool.pk, "name": pool.name} if pool is not None else None


def _ownership(customer: Customer) -> dict[str, Any]:
    owner = customer.owner
    return {
        "id": customer.pk,
        "name": customer.name,
        "owner": {"id": owner.pk, "username": owner.username, "name": str(owner)} if owner else None,
        "pool": _pool_ref(customer.pool),
        "locked": customer.locked,
        "owner_since": customer.owner_since,
        "released_at": customer.released_at,
    }


def _user(user_id: int, field: str = "owner") -> User:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise ValidationError({field: _("There is no user with id %(id)s.") % {"id": user_id}})
    return user


def _pool(pool_id: int | None) -> Pool | None:
    if pool_id is None:
        return None
    pool = Pool.objects.filter(pk=pool_id).first()
    if pool is None:
        raise ValidationError({"pool": _("There is no public pool with id %(id)s.") % {"id": pool_id}})
    return pool


def _fresh(customer: Customer) -> dict[str, Any]:
    customer = Customer.objects.select_related("owner", "pool").get(pk=customer.pk)
    return _ownership(customer)


@router.get(
    "/pools",
    response=list[PoolOut],
    url_name="pool_list",
    operation_id="pool_list",
    summary=_doc(gettext_lazy("The public pools you belong to")),
)
def list_pools(request: HttpRequest) -> list[Pool]:
    actor = _actor(request, "customers.view")
    return list(selectors.pools_for(actor=actor))


@router.get(
    "/pools/customers",
    response=PoolCustomerPage,
    url_name="pool_customer_list",
    operation_id="pool_customer_list",
    summary=_doc(gettext_lazy("Customers waiting in your public pools")),
)
def list_pool_customers(request: HttpRequest, query: Query[PoolCustomerQuery]) -> dict[str, Any]:
    actor = _actor(request, "customers.view")
    filters = selectors.PoolCustomerFilter(
        pool=query.pool,
        city=query.city.strip(),
        industry=query.industry or "",
        released_from=query.released_from,
        released_to=query.released_to,
        q=query.q.strip(),
    )
    customers = selectors.pool_customers(actor=actor, filters=filters).order_by("-id")
    page = cursor_paginate(customers, cursor=query.cursor, limit=query.limit)
    return {
        "items": [
            {
                "id": c.pk,
                "name": c.name,
                "city": c.city,
                "industry": c.industry,
                "pool": _pool_ref(c.pool),
                "released_at": c.released_at,
            }
            for c in page.items
        ],
        "next_cursor": page.next_cursor,
    }


@router.post(
    "/{int:customer_id}/claim",
    response=OwnershipOut,
    url_name="customer_claim",
    operation_id="customer_claim",
    summary=_doc(gettext_lazy("Claim a customer from its public pool (limits apply; of simultaneous claims one wins)")),
)
def claim_customer(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    actor = _actor(request, "customers.view", ApiToken.Scope.WRITE)
    customer = customer_selectors.customer_get(actor=actor, pk=customer_id)
    return _fresh(services.customer_claim(actor=actor, customer=customer))


@router.post(
    "/{int:customer_id}/release",
    response=OwnershipOut,
    url_name="customer_release",
    operation_id="customer_release",
    summary=_doc(gettext_lazy("Release a customer to a public pool, with the reason")),
)
def release_customer(request: HttpRequest, customer_id: int, payload: ReleaseIn) -> dict[str, Any]:
    actor = _actor(request, "customers.view", ApiToken.Scope.WRITE)
    customer = customer_selectors.customer_get(actor=actor, pk=customer_id)
    released = services.customer_release(
        actor=actor, customer=customer, pool=_pool(payload.pool), reason=payload.reason
    )
    return _fresh(released)


@router.post(
    "/{int:customer_id}/assign",
    response=OwnershipOut,
    url_name="customer_assign",
    operation_id="customer_assign",
    summary=_doc(gettext_lazy("Assign a customer to an owner, or transfer it to another")),
)
def assign_customer(request: HttpRequest, customer_id: int, payload: AssignIn) -> dict[str, Any]:
    actor = _actor(request, "customers.view", ApiToken.Scope.WRITE)
    customer = customer_selectors.customer_get(actor=actor, pk=customer_id)
    assigned = services.customer_assign(
        actor=actor, customer=customer, owner=_user(payload.owner), reason=payload.reason
    )
    return _fresh(assigned)


@router.post(
    "/{int:customer_id}/lock",
    response=OwnershipOut,
    url_name="customer_lock",
    operation_id="customer_lock",
    summary=_doc(gettext_lazy("Lock a customer against reclaim, or unlock it")),
)
def lock_customer(request: HttpRequest, customer_id: int, payload: LockIn) -> dict[str, Any]:
    actor = _actor(request, "customers.view", ApiToken.Scope.WRITE)
    customer = customer_selectors.customer_get(actor=actor, pk=customer_id)
    return _fresh(services.customer_lock(actor=actor, customer=customer, locked=payload.locked))


def _bulk(result: services.BulkResult) -> dict[str, Any]:
    return {"changed": result.changed, "skipped": [{"id": i, "reason": r} for i, r in result.skipped]}


@router.post(
    "/bulk/assign",
    response=BulkOut,
    url_name="customers_bulk_assign",
    operation_id="customers_bulk_assign",
    summary=_doc(gettext_lazy("Assign or transfer many customers; ids outside your scope are reported as skipped")),
)
def bulk_assign(request: HttpRequest, payload: BulkAssignIn) -> dict[str, Any]:
    actor = _actor(request, "customers.change", ApiToken.Scope.WRITE)
    owner = _user(payload.owner)
    return _bulk(services.customers_bulk_assign(actor=actor, ids=payload.ids, owner=owner, reason=payload.reason))


@router.post(
    "/bulk/release",
    response=BulkOut,
    url_name="customers_bulk_release",
    operation_id="customers_bulk_release",
    summary=_doc(gettext_lazy("Release many customers to a pool; ids outside your scope are reported as skipped")),
)
def bulk_release(request: HttpRequest, payload: BulkReleaseIn) -> dict[str, Any]:
    actor = _actor(request, "customers.change", ApiToken.Scope.WRITE)
    result = services.customers_bulk_release(
        actor=actor, ids=payload.ids, pool=_pool(payload.pool), reason=payload.reason
    )
    return _bulk(result)
