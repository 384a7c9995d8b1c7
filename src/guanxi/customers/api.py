"""Customers in the REST API: the same selectors and services as the pages, nothing more.

Each operation checks two things before it calls a selector or service: the token's scope (a read-only token may not
write) and the role's permission. Which records exist for the caller is the selectors' business (out of scope → 404),
and every rule about the data is the services' business (→ 422 with field names).
"""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Status

from guanxi.accounts.models import ApiToken, User
from guanxi.core.pagination import cursor_paginate
from guanxi.customers import selectors, services
from guanxi.customers.models import Customer
from guanxi.customers.profile import selectors as profile_selectors
from guanxi.customers.profile.masking import mask
from guanxi.customers.schemas import (
    CustomerDetailOut,
    CustomerIn,
    CustomerPage,
    CustomerPatch,
    CustomerQuery,
    RevealIn,
    RevealOut,
)

router = Router()


def _doc(text: Promise) -> str:
    """ninja types a summary as str; a lazy string is rendered in the reader's language whenever the schema is built."""
    return cast(str, text)


def _actor(request: HttpRequest, perm: str, token_scope: str = ApiToken.Scope.READ) -> User:
    """The acting user, if the token (when the call uses one) has `token_scope` and the user's role grants `perm`."""
    token: ApiToken | None = getattr(request, "api_token", None)
    if token is not None and not token.allows(token_scope):
        raise PermissionDenied(_("This API token may only read; create a token with the write scope."))
    if not request.user.has_perm(perm):
        raise PermissionDenied
    return request.user  # type: ignore[return-value]


_PLAIN_FIELDS = (
    "gender",
    "birthday",
    "lunar_birth_month",
    "lunar_birth_day",
    "lunar_birth_leap",
    "industry",
    "company_size",
    "source",
    "lifecycle_stage",
    "value_tier",
    "uscc",
    "notes",
    "custom",
    "province",
    "city",
    "last_follow_up_at",
    "last_follow_up_summary",
    "next_contact_at",
)


def _out(customer: Customer) -> dict[str, Any]:
    """A customer as the list shows it: its own columns only (no extra queries per row), personal data masked."""
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
        "id_number": mask("id_number", customer.id_number),
        **{name: getattr(customer, name) for name in _PLAIN_FIELDS},
    }


def _detail_out(actor: User, customer_id: int) -> dict[str, Any]:
    """A customer with its tags, phones, emails and addresses (masked), read through the profile selector."""
    profile = profile_selectors.customer_profile(actor=actor, pk=customer_id)
    return {
        **_out(profile.customer),
        "tags": [{"id": t.pk, "name": t.name, "color": t.color} for t in profile.tags],
        "phones": [
            {"id": p.pk, "number": mask("phone", p.number), "label": p.label, "is_primary": p.is_primary}
            for p in profile.phones
        ],
        "emails": [
            {"id": e.pk, "address": mask("email", e.address), "label": e.label, "is_primary": e.is_primary}
            for e in profile.emails
        ],
        "addresses": [
            {
                "id": a.pk,
                "kind": a.kind,
                "country": a.country,
                "province": a.province,
                "city": a.city,
                "district": a.district,
                "line": mask("line", a.line),
                "postal_code": a.postal_code,
                "is_primary": a.is_primary,
            }
            for a in profile.addresses
        ],
        "contacts_count": len(profile.contacts),
    }


def _owner(owner_id: int | None) -> User | None:
    """The user an id names; whether the actor may hand them a customer is for the service to say."""
    if owner_id is None:
        return None
    owner = User.objects.filter(pk=owner_id).first()
    if owner is None:
        raise ValidationError({"owner": _("There is no user with id %(id)s.") % {"id": owner_id}})
    return owner


@router.get(
    "/",
    response=CustomerPage,
    url_name="customer_list",
    operation_id="customer_list",
    summary=_doc(gettext_lazy("List customers in your scope")),
)
def list_customers(request: HttpRequest, query: Query[CustomerQuery]) -> dict[str, Any]:
    actor = _actor(request, "customers.view")
    # Every filter of the list page is accepted (the schema documents the common ones); bad values answer 422.
    filters = selectors.filter_from_query(request.GET, sorts=selectors.SORTS, request=request)
    customers = selectors.customer_list(actor=actor, filters=filters)
    page = cursor_paginate(customers, cursor=query.cursor, limit=query.limit)
    return {"items": [_out(c) for c in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/{int:customer_id}",
    response=CustomerDetailOut,
    url_name="customer_detail",
    operation_id="customer_detail",
    summary=_doc(gettext_lazy("One customer")),
)
def get_customer(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    actor = _actor(request, "customers.view")
    return _detail_out(actor, customer_id)


@router.post(
    "/",
    response={201: CustomerDetailOut},
    url_name="customer_create",
    operation_id="customer_create",
    summary=_doc(gettext_lazy("Create a customer")),
)
def create_customer(request: HttpRequest, payload: CustomerIn) -> Status[dict[str, Any]]:
    actor = _actor(request, "customers.create", ApiToken.Scope.WRITE)
    fields = payload.model_dump()
    fields["owner"] = _owner(payload.owner)
    data = services.CustomerInput(**fields)
    customer = services.customer_create(actor=actor, data=data)
    return Status(201, _detail_out(actor, customer.pk))


@router.patch(
    "/{int:customer_id}",
    response=CustomerDetailOut,
    url_name="customer_update",
    operation_id="customer_update",
    summary=_doc(gettext_lazy("Change a customer")),
)
def update_customer(request: HttpRequest, customer_id: int, payload: CustomerPatch) -> dict[str, Any]:
    actor = _actor(request, "customers.change", ApiToken.Scope.WRITE)
    customer = selectors.customer_get(actor=actor, pk=customer_id)
    sent = payload.sent()
    if "owner" in sent:
        sent["owner"] = _owner(sent["owner"])
    # Unsent fields keep their values; masked ones (phone, email, ID number) are not read back from the mask.
    changes = {"phone": None, "email": None, **sent}
    data = services.CustomerInput.from_customer(customer, **changes)
    customer = services.customer_update(actor=actor, customer=customer, data=data)
    return _detail_out(actor, customer.pk)


@router.post(
    "/{int:customer_id}/reveal",
    response=RevealOut,
    url_name="customer_reveal",
    operation_id="customer_reveal",
    summary=_doc(gettext_lazy("The clear value of a masked field (needs the reveal permission; audited)")),
)
def reveal_customer(
    request: HttpRequest, response: HttpResponse, customer_id: int, payload: RevealIn
) -> dict[str, Any]:
    # Revealing changes no customer data, so a read-only token may do it; the role must still grant customers.reveal.
    actor = _actor(request, "customers.reveal")
    customer = selectors.customer_get(actor=actor, pk=customer_id)
    value = services.customer_reveal(actor=actor, customer=customer, field=payload.field, item=payload.item)
    response["Cache-Control"] = "no-store"
    return {"field": payload.field, "value": value}


def _mount_profile_router() -> None:
    """Contacts, addresses, consent and custom-field definitions (customers.profile) under /api/v1/customers/."""
    from guanxi.customers.profile.api import router as profile_router

    router.add_router("", profile_router)


_mount_profile_router()


def _mount_area_routers() -> None:
    """Each area of the customers app keeps its own router under /api/v1/customers/."""
    from guanxi.customers.dedupe.api import router as dedupe_router
    from guanxi.customers.lists.api import router as lists_router
    from guanxi.customers.pools.api import router as pools_router
    from guanxi.customers.search.api import router as search_router
    from guanxi.customers.transfer.api import router as transfer_router

    for area in (lists_router, pools_router, search_router, dedupe_router, transfer_router):
        router.add_router("", area)


_mount_area_routers()
