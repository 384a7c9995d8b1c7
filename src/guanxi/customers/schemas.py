from __future__ import annotations

import datetime as dt

from ninja import Schema

from guanxi.customers.models import Customer


class OwnerOut(Schema):
    id: int
    username: str
    name: str


class CustomerOut(Schema):
    id: int
    kind: Customer.Kind
    name: str
    phone: str  # masked unless revealed
    email: str  # masked unless revealed
    owner: OwnerOut | None
    created_at: dt.datetime
    updated_at: dt.datetime


class CustomerPage(Schema):
    items: list[CustomerOut]
    next_cursor: str | None


class CustomerIn(Schema):
    name: str
    kind: Customer.Kind = Customer.Kind.PERSON
    phone: str = ""
    email: str = ""
    owner_id: int | None = None


class CustomerPatch(Schema):
    name: str | None = None
    kind: Customer.Kind | None = None
    phone: str | None = None
    email: str | None = None
    owner_id: int | None = None


class RevealIn(Schema):
    field: str


class RevealOut(Schema):
    field: str
    value: str
