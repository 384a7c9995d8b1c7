"""The duplicate check in the API: GET /api/v1/customers/duplicates?name=…&phone=…&email=…

The same selector as the warning under the customer form: every customer is checked (pool and other owners included),
but a match outside the caller's scope is told only by its owner's name or its pool — no id, name or contact data.
"""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema

from guanxi.customers.dedupe.selectors import DuplicateCandidate, DuplicateMatch, find_duplicates
from guanxi.customers.models import Customer

router = Router()


def _doc(text: Promise) -> str:
    return cast(str, text)


class DuplicateQuery(Schema):
    name: str = Field("", max_length=200)
    kind: Customer.Kind = Customer.Kind.PERSON
    phone: list[str] = Field(default_factory=list, description="Repeat for several numbers; any format.")
    email: list[str] = Field(default_factory=list, description="Repeat for several addresses.")
    uscc: str = Field("", max_length=40)
    id_number: str = Field("", max_length=40)
    city: str = Field("", max_length=50)
    province: str = Field("", max_length=50)
    exclude: int | None = Field(None, description="The id of the customer being edited (not its own duplicate).")
    limit: int = Field(10, ge=1, le=50)


class DuplicateReasonOut(Schema):
    code: str
    label: str


class DuplicateMatchOut(Schema):
    id: int | None = Field(description="Null when the match is outside your data scope.")
    name: str | None = Field(description="Null when the match is outside your data scope.")
    url: str | None = Field(description="The customer's page; null outside your data scope.")
    in_scope: bool
    owner: str | None = Field(description="The owner's display name (also outside your scope).")
    pool: str | None = Field(description="The public pool of a match without an owner.")
    strength: int = Field(description="0–100: 100 same unified social credit code … 40 similar name in one city.")
    reasons: list[DuplicateReasonOut]
    summary: str


class DuplicateList(Schema):
    items: list[DuplicateMatchOut]


def _out(match: DuplicateMatch) -> dict[str, Any]:
    return {
        "id": match.customer_id,
        "name": match.name or None,
        "url": match.url or None,
        "in_scope": match.in_scope,
        "owner": match.owner_name or None,
        "pool": match.pool_name or None,
        "strength": match.strength,
        "reasons": [
            {"code": code, "label": label} for code, label in zip(match.reasons, match.reason_labels, strict=True)
        ],
        "summary": match.summary,
    }


@router.get(
    "/duplicates",
    response=DuplicateList,
    url_name="customer_duplicates",
    operation_id="customer_duplicates",
    summary=_doc(gettext_lazy("Check for duplicates of a customer before creating it (查重)")),
)
def customer_duplicates(request: HttpRequest, query: Query[DuplicateQuery]) -> dict[str, Any]:
    user: Any = request.user
    if not (user.has_perm("customers.view") or user.has_perm("customers.create")):
        raise PermissionDenied
    candidate = DuplicateCandidate.build(
        name=query.name,
        kind=query.kind,
        phones=query.phone[:10],
        emails=query.email[:10],
        uscc=query.uscc,
        id_number=query.id_number,
        city=query.city,
        province=query.province,
    )
    matches = find_duplicates(actor=user, candidate=candidate, exclude_id=query.exclude, limit=query.limit)
    return {"items": [_out(m) for m in matches]}
