"""Customers in the REST API: the same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from guanxi.accounts.models import ApiToken, User
from guanxi.core.masking import mask
from guanxi.core.pagination import cursor_paginate
from guanxi.customers import selectors, services
from guanxi.customers.models import Customer
from guanxi.customers.schemas import CustomerIn, CustomerOut, CustomerPage, CustomerPatch, RevealIn, RevealOut

router = Router()


class CustomerQuery(Schema):
    q: str = ""
    kind: str = ""
    owner: str = ""
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    sort: str = selectors.DEFAULT_SORT
    cursor: str | None = None
    limit: int = 50


def _require(request: HttpRequest, perm: str, scope: str = ApiToken.Scope.READ) -> Any:
    token: ApiToken | None = getattr(request, "api_token", None)
    if token is not None and not token.allows(scope):
        raise PermissionDenied
    if not request.user.has_perm(perm):
        raise PermissionDenied
    return request.user


def _out(customer: Customer) -> dict[str, Any]:
    owner = customer.owner
    return {
        "id": customer.pk,
        "kind": customer.kind,
        "name": customer.name,
        "phone": mask("phone", customer.phone),
        "email": mask("email", customer.email),
        "owner": {"id": owner.pk, "username": owner.username, "name": str(owner)} if owner else None,
        "created_at": customer.created_at,
        "updated_at": customer.updated_at,
    }


def _owner(owner_id: int | None) -> User | None:
    if owner_id is None:
        return None
    owner = User.objects.filter(pk=owner_id).first()
    if owner is None:
        raise ValidationError({"owner_id": _("There is no user with id %(id)s.") % {"id": owner_id}})
    return owner


@router.get("/", response=CustomerPage, url_name="customer_list", summary="List customers in your scope")
def list_customers(request: HttpRequest, query: Query[CustomerQuery]) -> dict[str, Any]:
    actor = _require(request, "customers.view")
    if not 1 <= query.limit <= 200:
        raise ValidationError({"limit": _("limit must be between 1 and 200.")})
    filters = selectors.CustomerFilter(
        q=query.q, kind=query.kind, owner=query.owner, created_from=query.created_from,
        created_to=query.created_to, sort=query.sort,
    )
    page = cursor_paginate(selectors.customer_list(actor=actor, filters=filters), cursor=query.cursor, limit=query.limit)
    return {"items": [_out(c) for c in page.items], "next_cursor": page.next_cursor}


@router.get("/{int:customer_id}", response=CustomerOut, url_name="customer_detail", summary="One customer")
def get_customer(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    actor = _require(request, "customers.view")
    return _out(selectors.customer_get(actor=actor, pk=customer_id))


@router.post("/", response={201: CustomerOut}, url_name="customer_create", summary="Create a customer")
def create_customer(request: HttpRequest, payload: CustomerIn) -> tuple[int, dict[str, Any]]:
    actor = _require(request, "customers.create", ApiToken.Scope.WRITE)
    data = services.CustomerInput(
        name=payload.name, kind=payload.kind, phone=payload.phone, email=payload.email, owner=_owner(payload.owner_id)
    )
    return 201, _out(services.customer_create(actor=actor, data=data))


@router.patch("/{int:customer_id}", response=CustomerOut, url_name="customer_update", summary="Change a customer")
def update_customer(request: HttpRequest, customer_id: int, payload: CustomerPatch) -> dict[str, Any]:
    actor = _require(request, "customers.change", ApiToken.Scope.WRITE)
    customer = selectors.customer_get(actor=actor, pk=customer_id)
    sent = payload.dict(exclude_unset=True)
    data = services.CustomerInput(
        name=sent.get("name", customer.name),
        kind=sent.get("kind", customer.kind),
        phone=sent.get("phone", customer.phone),
        email=sent.get("email", customer.email),
        owner=_owner(sent["owner_id"]) if "owner_id" in sent else customer.owner,
    )
    return _out(services.customer_update(actor=actor, customer=customer, data=data))


@router.post("/{int:customer_id}/reveal", response=RevealOut, url_name="customer_reveal",
             summary="Reveal a masked field (audited)")
def reveal_customer(request: HttpRequest, customer_id: int, payload: RevealIn) -> dict[str, Any]:
    actor = _require(request, "customers.reveal")
    customer = selectors.customer_get(actor=actor, pk=customer_id)
    value = services.customer_reveal(actor=actor, customer=customer, field=payload.field)
    return {"field": payload.field, "value": value}
