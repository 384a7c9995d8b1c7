"""GET /api/v1/customers/search?q=: the search box in the API — customers and contacts in the caller's scope, personal
data masked. The same selectors as the global search page."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema

from guanxi.accounts.models import ApiToken, User
from guanxi.core.masking import mask
from guanxi.customers.models import Contact, Customer
from guanxi.customers.search.selectors import contact_search, customer_search

router = Router()
MAX_LIMIT = 50


class SearchQueryIn(Schema):
    q: str = Field("", max_length=100, description="Name or part of it, pinyin, initials, 4+ digits of a phone, email.")
    limit: int = Field(10, ge=1, le=MAX_LIMIT, description="At most this many customers and this many contacts.")


class SearchOwner(Schema):
    id: int
    name: str


class CustomerHit(Schema):
    id: int
    kind: str
    name: str
    phone: str = Field(description="Masked.")
    email: str = Field(description="Masked.")
    owner: SearchOwner | None


class ContactCustomer(Schema):
    id: int
    name: str


class ContactHit(Schema):
    id: int
    name: str
    title: str
    phone: str = Field(description="Masked.")
    email: str = Field(description="Masked.")
    customer: ContactCustomer


class SearchOut(Schema):
    items: list[CustomerHit] = Field(description="Customers, newest first.")
    contacts: list[ContactHit]


def _actor(request: HttpRequest) -> User:
    token: ApiToken | None = getattr(request, "api_token", None)
    if token is not None and not token.allows(ApiToken.Scope.READ):
        raise PermissionDenied(_("This API token may not read."))
    if not request.user.has_perm("customers.view"):
        raise PermissionDenied
    return cast(User, request.user)


def _customer(c: Customer) -> dict[str, Any]:
    owner = c.owner
    return {
        "id": c.pk,
        "kind": c.kind,
        "name": c.name,
        "phone": mask("phone", c.phone),
        "email": mask("email", c.email),
        "owner": {"id": owner.pk, "name": str(owner)} if owner else None,
    }


def _contact(c: Contact) -> dict[str, Any]:
    return {
        "id": c.pk,
        "name": c.name,
        "title": c.title,
        "phone": mask("phone", c.phone),
        "email": mask("email", c.email),
        "customer": {"id": c.customer_id, "name": c.customer.name},
    }


@router.get(
    "/search",
    response=SearchOut,
    url_name="customer_search",
    operation_id="customer_search",
    summary=cast(str, gettext_lazy("Search customers and contacts in your scope")),
)
def search(request: HttpRequest, query: Query[SearchQueryIn]) -> dict[str, Any]:
    actor = _actor(request)
    return {
        "items": [_customer(c) for c in customer_search(actor=actor, q=query.q, limit=query.limit)],
        "contacts": [_contact(c) for c in contact_search(actor=actor, q=query.q, limit=query.limit)],
    }
