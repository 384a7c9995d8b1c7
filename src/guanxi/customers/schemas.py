"""The API's shapes for customers: what comes in (validated by ninja, 422 on a wrong type) and what goes out.

Rules (lengths, phone and email formats, who may own what) live in `services`; these schemas only say which fields
exist and their types, so the OpenAPI document describes the API exactly.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import field_validator

from guanxi.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, MIN_LIMIT
from guanxi.customers import selectors
from guanxi.customers.models import Customer

_OWNER_FILTER = re.compile(r"^(|me|none|\d+)$")
# The default of a PATCH field that was not sent. The fields keep their plain types, so an explicit null is a 422 and
# the OpenAPI document does not call them nullable; `sent()` tells what the caller did send.
_UNSET: Any = None


class OwnerOut(Schema):
    id: int
    username: str
    name: str


class CustomerOut(Schema):
    id: int
    kind: Customer.Kind
    name: str
    phone: str = Field(description="Masked (138****5678); POST …/reveal for the clear value.")
    email: str = Field(description="Masked (z***@example.com); POST …/reveal for the clear value.")
    owner: OwnerOut | None
    created_at: dt.datetime
    updated_at: dt.datetime


class CustomerPage(Schema):
    items: list[CustomerOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class CustomerQuery(Schema):
    """The list's filters: the same as the customer list page, applied through `selectors.CustomerFilter`."""

    q: str = Field("", description="Part of the name, or an exact phone number or email address.")
    kind: Customer.Kind | None = None
    owner: str = Field("", description='A user id, "me" or "none" (customers in the public pool).')
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    sort: str = Field(selectors.DEFAULT_SORT, json_schema_extra={"enum": list(selectors.SORTS)})
    cursor: str | None = Field(None, description="`next_cursor` of the previous page.")
    limit: int = Field(DEFAULT_LIMIT, ge=MIN_LIMIT, le=MAX_LIMIT)

    @field_validator("sort")
    @classmethod
    def _known_sort(cls, value: str) -> str:
        if value not in selectors.SORTS:
            raise ValueError("one of " + ", ".join(selectors.SORTS))
        return value

    @field_validator("owner")
    @classmethod
    def _owner_filter(cls, value: str) -> str:
        if not _OWNER_FILTER.match(value):
            raise ValueError('a user id, "me" or "none"')
        return value

    def to_filter(self) -> selectors.CustomerFilter:
        return selectors.CustomerFilter(
            q=self.q,
            kind=self.kind or "",
            owner=self.owner,
            created_from=self.created_from,
            created_to=self.created_to,
            sort=self.sort,
        )


class CustomerIn(Schema):
    name: str
    kind: Customer.Kind = Customer.Kind.PERSON
    phone: str = Field("", description="Any written form; stored as E.164 (+8613812345678).")
    email: str = ""
    owner: int | None = Field(None, description="User id of the owner; yourself when left out.")


class CustomerPatch(Schema):
    """Only the fields sent are changed. `null` is refused for every field: send "" to clear phone or email."""

    name: str = _UNSET
    kind: Customer.Kind = _UNSET
    phone: str = _UNSET
    email: str = _UNSET
    owner: int = Field(_UNSET, description="User id of the new owner.")

    def sent(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class RevealIn(Schema):
    field: Literal["phone", "email"]


class RevealOut(Schema):
    field: Literal["phone", "email"]
    value: str
