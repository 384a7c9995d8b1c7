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
from guanxi.customers.models import (
    Address,
    CompanySize,
    Consent,
    Contact,
    Customer,
    CustomFieldDefinition,
    Gender,
    Industry,
    LifecycleStage,
    Source,
)


def _enum(values: list[str]) -> dict[str, Any]:
    """Documents a string field's allowed values; the services check them (422 naming the field)."""
    return {"enum": list(values)}


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
    gender: str = Field("", json_schema_extra=_enum(Gender.values))
    birthday: dt.date | None = None
    lunar_birth_month: int | None = None
    lunar_birth_day: int | None = None
    lunar_birth_leap: bool = False
    industry: str = Field("", json_schema_extra=_enum(Industry.values))
    company_size: str = Field("", json_schema_extra=_enum(CompanySize.values))
    source: str = Field("", json_schema_extra=_enum(["", *Source.values]))
    lifecycle_stage: str = Field(LifecycleStage.PROSPECT, json_schema_extra=_enum(LifecycleStage.values))
    value_tier: str = ""
    uscc: str = Field("", description="Unified social credit code (companies).")
    id_number: str = Field("", description="Masked; POST …/reveal with field id_number for the clear value.")
    notes: str = ""
    custom: dict[str, Any] = Field(default_factory=dict, description="Custom-field values by key.")
    province: str = Field("", description="Of the primary address.")
    city: str = Field("", description="Of the primary address.")
    last_follow_up_at: dt.datetime | None = None
    last_follow_up_summary: str = ""
    next_contact_at: dt.datetime | None = None


class TagOut(Schema):
    id: int
    name: str
    color: str


class PhoneOut(Schema):
    id: int | None
    number: str = Field(description="Masked; POST …/reveal with field phone and this id as item.")
    label: str
    is_primary: bool


class EmailOut(Schema):
    id: int | None
    address: str = Field(description="Masked; POST …/reveal with field email and this id as item.")
    label: str
    is_primary: bool


class AddressOut(Schema):
    id: int
    kind: str = Field(json_schema_extra=_enum(Address.Kind.values))
    country: str
    province: str
    city: str
    district: str
    line: str = Field(description="Masked; POST …/reveal with field address and this id as item.")
    postal_code: str
    is_primary: bool


class CustomerDetailOut(CustomerOut):
    tags: list[TagOut]
    phones: list[PhoneOut]
    emails: list[EmailOut]
    addresses: list[AddressOut]
    contacts_count: int


class PhoneIn(Schema):
    number: str
    label: str = ""
    is_primary: bool = False


class EmailIn(Schema):
    address: str
    label: str = ""
    is_primary: bool = False


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
    sort: str = Field(selectors.DEFAULT_SORT, json_schema_extra=_enum(list(selectors.SORTS)))
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
    gender: str = Field("", json_schema_extra=_enum(Gender.values))
    birthday: dt.date | None = None
    lunar_birth_month: int | None = Field(None, description="1–12, with lunar_birth_day.")
    lunar_birth_day: int | None = Field(None, description="1–30, with lunar_birth_month.")
    lunar_birth_leap: bool = False
    industry: str = Field("", json_schema_extra=_enum(Industry.values))
    company_size: str = Field("", json_schema_extra=_enum(CompanySize.values))
    source: str = Field("", json_schema_extra=_enum(["", *Source.values]))
    lifecycle_stage: str = Field(LifecycleStage.PROSPECT, json_schema_extra=_enum(LifecycleStage.values))
    notes: str = ""
    uscc: str = Field("", description="Unified social credit code (companies only; 18 characters, check character).")
    id_number: str = ""
    tags: list[str] = Field(default_factory=list, description="Tag names; unknown names create tags.")
    custom: dict[str, Any] = Field(default_factory=dict, description="Custom-field values by key.")
    phones: list[PhoneIn] | None = Field(None, description="All phone numbers (instead of `phone`).")
    emails: list[EmailIn] | None = Field(None, description="All email addresses (instead of `email`).")


class CustomerPatch(Schema):
    """Only the fields sent are changed. `null` is refused for every field: send "" to clear phone or email."""

    name: str = _UNSET
    kind: Customer.Kind = _UNSET
    phone: str = _UNSET
    email: str = _UNSET
    owner: int = Field(_UNSET, description="User id of the new owner.")
    gender: str = Field(_UNSET, json_schema_extra=_enum(Gender.values))
    birthday: dt.date | None = _UNSET
    lunar_birth_month: int | None = _UNSET
    lunar_birth_day: int | None = _UNSET
    lunar_birth_leap: bool = _UNSET
    industry: str = Field(_UNSET, json_schema_extra=_enum(Industry.values))
    company_size: str = Field(_UNSET, json_schema_extra=_enum(CompanySize.values))
    source: str = Field(_UNSET, json_schema_extra=_enum(["", *Source.values]))
    lifecycle_stage: str = Field(_UNSET, json_schema_extra=_enum(LifecycleStage.values))
    notes: str = _UNSET
    uscc: str = _UNSET
    id_number: str = Field(_UNSET, description='"" removes it.')
    tags: list[str] = Field(_UNSET, description="The complete list of tag names.")
    custom: dict[str, Any] = Field(_UNSET, description='Only the keys sent change; null or "" clears one.')
    phones: list[PhoneIn] = Field(_UNSET, description="Replaces all phone numbers.")
    emails: list[EmailIn] = Field(_UNSET, description="Replaces all email addresses.")

    def sent(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


RevealField = Literal["phone", "email", "id_number", "address"]


class RevealIn(Schema):
    field: RevealField
    item: int | None = Field(None, description="A phone, email or address id (default: the primary one).")


class RevealOut(Schema):
    field: RevealField
    value: str


# --- contacts, addresses, consent, custom fields ----------------------------------------------------------------------
class ContactOut(Schema):
    id: int
    customer_id: int
    name: str
    title: str
    role: str = Field(json_schema_extra=_enum(["", *Contact.Role.values]))
    phone: str = Field(description="Masked; POST /customers/contacts/{id}/reveal for the clear value.")
    email: str = Field(description="Masked.")
    wechat: str
    is_primary: bool
    notes: str


class ContactIn(Schema):
    name: str
    title: str = ""
    role: str = Field("", json_schema_extra=_enum(["", *Contact.Role.values]))
    phone: str = ""
    email: str = ""
    wechat: str = ""
    is_primary: bool = False
    notes: str = ""


class ContactPatch(Schema):
    name: str = _UNSET
    title: str = _UNSET
    role: str = Field(_UNSET, json_schema_extra=_enum(["", *Contact.Role.values]))
    phone: str = _UNSET
    email: str = _UNSET
    wechat: str = _UNSET
    is_primary: bool = _UNSET
    notes: str = _UNSET

    def sent(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class ContactRevealIn(Schema):
    field: Literal["phone", "email"]


class AddressIn(Schema):
    kind: str = Field(Address.Kind.OFFICE, json_schema_extra=_enum(Address.Kind.values))
    country: str = Field("CN", description="Two-letter country code.")
    province: str = ""
    city: str = ""
    district: str = ""
    line: str = Field("", description="Street address.")
    postal_code: str = ""
    is_primary: bool = False


class AddressPatch(Schema):
    kind: str = Field(_UNSET, json_schema_extra=_enum(Address.Kind.values))
    country: str = _UNSET
    province: str = _UNSET
    city: str = _UNSET
    district: str = _UNSET
    line: str = _UNSET
    postal_code: str = _UNSET
    is_primary: bool = _UNSET

    def sent(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class ConsentOut(Schema):
    id: int
    purpose: str = Field(json_schema_extra=_enum(Consent.Purpose.values))
    channel: str = Field(json_schema_extra=_enum(Consent.Channel.values))
    status: str = Field(json_schema_extra=_enum(Consent.Status.values))
    recorded_at: dt.datetime
    evidence: str
    recorded_by: str


class ConsentsOut(Schema):
    current: list[ConsentOut] = Field(description="The latest record per purpose and channel.")
    history: list[ConsentOut] = Field(description="Every record, newest first.")


class ConsentIn(Schema):
    purpose: str = Field(json_schema_extra=_enum(Consent.Purpose.values))
    channel: str = Field(Consent.Channel.ANY, json_schema_extra=_enum(Consent.Channel.values))
    status: str = Field(json_schema_extra=_enum(Consent.Status.values))
    recorded_at: dt.datetime | None = Field(None, description="Now when left out.")
    evidence: str = ""


class CustomFieldOut(Schema):
    key: str
    label: str
    type: str = Field(json_schema_extra=_enum(CustomFieldDefinition.Type.values))
    choices: list[str]
    required: bool
    help_text: str
    order: int
    show_in_list: bool
