"""The API's shapes for ownership and the public pools. Rules live in the services; these only name fields and types."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from guanxi.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, MIN_LIMIT
from guanxi.customers.models import Industry
from guanxi.customers.schemas import OwnerOut


class PoolRef(Schema):
    id: int
    name: str


class PoolOut(Schema):
    id: int
    name: str
    description: str
    is_default: bool
    max_customers_per_user: int = Field(description="0 means no limit.")
    max_claims_per_day: int = Field(description="0 means no limit.")
    reclaim_cooldown_days: int


class OwnershipOut(Schema):
    id: int
    name: str
    owner: OwnerOut | None
    pool: PoolRef | None = Field(description="The public pool the customer waits in; null while it has an owner.")
    locked: bool = Field(description="Locked customers are never reclaimed.")
    owner_since: dt.datetime | None
    released_at: dt.datetime | None


class PoolCustomerOut(Schema):
    id: int
    name: str
    city: str
    industry: str
    pool: PoolRef
    released_at: dt.datetime | None


class PoolCustomerPage(Schema):
    items: list[PoolCustomerOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class PoolCustomerQuery(Schema):
    pool: int | None = Field(None, description="Only this pool (one you belong to).")
    city: str = ""
    industry: Industry | None = None
    released_from: dt.date | None = None
    released_to: dt.date | None = None
    q: str = Field("", description="Part of the name, or an exact phone number or email address.")
    cursor: str | None = Field(None, description="`next_cursor` of the previous page.")
    limit: int = Field(DEFAULT_LIMIT, ge=MIN_LIMIT, le=MAX_LIMIT)


class ReleaseIn(Schema):
    reason: str = Field(description="Why the customer goes back to the pool (required).")
    pool: int | None = Field(None, description="Pool id; the default pool when left out.")


class AssignIn(Schema):
    owner: int = Field(description="User id of the new owner (inside your data scope).")
    reason: str = ""


class LockIn(Schema):
    locked: bool


class BulkAssignIn(Schema):
    ids: list[int] = Field(max_length=5000)
    owner: int
    reason: str = ""


class BulkReleaseIn(Schema):
    ids: list[int] = Field(max_length=5000)
    reason: str
    pool: int | None = None


class SkippedOut(Schema):
    id: int
    reason: str


class BulkOut(Schema):
    changed: int
    skipped: list[SkippedOut]
