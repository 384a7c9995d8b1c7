"""Contacts, addresses, consent and the custom-field definitions in the API, through the same selectors and services
as the 360 page. Mounted by customers.api under /api/v1/customers/."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from ninja import Router, Status

from guanxi.accounts.models import ApiToken, User
from guanxi.customers.customfields import custom_field_definitions
from guanxi.customers.models import Address, Consent, Contact
from guanxi.customers.profile import selectors, services
from guanxi.customers.profile.masking import mask
from guanxi.customers.schemas import (
    AddressIn,
    AddressOut,
    AddressPatch,
    ConsentIn,
    ConsentOut,
    ConsentsOut,
    ContactIn,
    ContactOut,
    ContactPatch,
    ContactRevealIn,
    CustomFieldOut,
    RevealOut,
)
from guanxi.customers.selectors import customer_get

router = Router()


def _doc(text: Promise) -> str:
    return cast(str, text)


def _actor(request: HttpRequest, perm: str, token_scope: str = ApiToken.Scope.READ) -> User:
    from guanxi.customers.api import _actor as customers_actor  # customers.api mounts this router

    return customers_actor(request, perm, token_scope)


def _contact_out(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "customer_id": contact.customer_id,
        "name": contact.name,
        "title": contact.title,
        "role": contact.role,
        "phone": mask("phone", contact.phone),
        "email": mask("email", contact.email),
        "wechat": contact.wechat,
        "is_primary": contact.is_primary,
        "notes": contact.notes,
    }


def _address_out(address: Address) -> dict[str, Any]:
    return {
        "id": address.pk,
        "kind": address.kind,
        "country": address.country,
        "province": address.province,
        "city": address.city,
        "district": address.district,
        "line": mask("line", address.line),
        "postal_code": address.postal_code,
        "is_primary": address.is_primary,
    }


def _consent_out(consent: Consent) -> dict[str, Any]:
    return {
        "id": consent.pk,
        "purpose": consent.purpose,
        "channel": consent.channel,
        "status": consent.status,
        "recorded_at": consent.recorded_at,
        "evidence": consent.evidence,
        "recorded_by": str(consent.recorded_by) if consent.recorded_by else "",
    }


# --- contacts ---------------------------------------------------------------------------------------------------------
@router.get(
    "/{int:customer_id}/contacts",
    response=list[ContactOut],
    url_name="customer_contacts",
    operation_id="customer_contacts",
    summary=_doc(gettext_lazy("A customer's contacts")),
)
def list_contacts(request: HttpRequest, customer_id: int) -> list[dict[str, Any]]:
    actor = _actor(request, "customers.view")
    return [_contact_out(c) for c in selectors.contacts_of(actor=actor, customer_id=customer_id)]


@router.post(
    "/{int:customer_id}/contacts",
    response={201: ContactOut},
    url_name="contact_create",
    operation_id="contact_create",
    summary=_doc(gettext_lazy("Add a contact to a customer")),
)
def create_contact(request: HttpRequest, customer_id: int, payload: ContactIn) -> Status[dict[str, Any]]:
    actor = _actor(request, "customers.change", ApiToken.Scope.WRITE)
    customer = customer_get(actor=actor, pk=customer_id)
    data = services.ContactInput(**payload.model_dump())
    return Status(201, _contact_out(services.contact_create(actor=actor, customer=customer, data=data)))


@router.get(
    "/contacts/{int:contact_id}",
    response=ContactOut,
    url_name="contact_detail",
    operation_id="contact_detail",
    summary=_doc(gettext_lazy("One contact")),
)
def get_contact(request: HttpRequest, contact_id: int) -> dict[str, Any]:
    actor = _actor(request, "customers.view")
    return _contact_out(selectors.contact_get(actor=actor, pk=contact_id))


@router.patch(
    "/contacts/{int:contact_id}",
    response=ContactOut,
    url_name="contact_update",
    operation_id="contact_update",
    summary=_doc(gettext_lazy("Change a contact")),
)
def update_contact(request: HttpRequest, contact_id: int, payload: ContactPatch) -> dict[str, Any]:
    actor = _actor(request, "customers.change", ApiToken.Scope.WRITE)
    contact = selectors.contact_get(actor=actor, pk=contact_id)
    current = {f: getattr(contact, f) for f in ("name", "title", "role", "wechat", "is_primary", "notes")}
    data = services.ContactInput(**{**current, "phone": None, "email": None, **payload.sent()})
    return _contact_out(services.contact_update(actor=actor, contact=contact, data=data))


@router.delete(
    "/contacts/{int:contact_id}",
    response={204: None},
    url_name="contact_delete",
    operation_id="contact_delete",
    summary=_doc(gettext_lazy("Remove a contact")),
)
def delete_contact(request: HttpRequest, contact_id: int) -> Status[None]:
    actor = _actor(request, "customers.change", ApiToken.Scope.WRITE)
    services.contact_delete(actor=actor, contact=selectors.contact_get(actor=actor, pk=contact_id))
    return Status(204, None)


@router.post(
    "/contacts/{int:contact_id}/reveal",
    response=RevealOut,
    url_name="contact_reveal",
    operation_id="contact_reveal",
    summary=_doc(gettext_lazy("A contact's clear phone or email (needs the reveal permission; audited)")),
)
def reveal_contact(
    request: HttpRequest, response: HttpResponse, contact_id: int, payload: ContactRevealIn
) -> dict[str, Any]:
    actor = _actor(request, "customers.reveal")
    contact = selectors.contact_get(actor=actor, pk=contact_id)
    value = services.contact_reveal(actor=actor, contact=contact, field=payload.field)
    response["Cache-Control"] = "no-store"
    return {"field": payload.field, "value": value}


# --- addresses --------------------------------------------------------------------------------------------------------
@router.get(
    "/{int:customer_id}/addresses",
    response=list[AddressOut],
    url_name="customer_addresses",
    operation_id="customer_addresses",
    summary=_doc(gettext_lazy("A customer's addresses")),
)
def list_addresses(request: HttpRequest, customer_id: int) -> list[dict[str, Any]]:
    actor = _actor(request, "customers.view")
    return [_address_out(a) for a in selectors.addresses_of(actor=actor, customer_id=customer_id)]


@router.post(
    "/{int:customer_id}/addresses",
    response={201: AddressOut},
    url_name="address_create",
    operation_id="address_create",
    summary=_doc(gettext_lazy("Add an address to a customer")),
)
def create_address(request: HttpRequest, customer_id: int, payload: AddressIn) -> Status[dict[str, Any]]:
    actor = _actor(request, "customers.change", ApiToken.Scope.WRITE)
    customer = customer_get(actor=actor, pk=customer_id)
    data = services.AddressInput(**payload.model_dump())
    return Status(201, _address_out(services.address_create(actor=actor, customer=customer, data=data)))


@router.patch(
    "/addresses/{int:address_id}",
    response=AddressOut,
    url_name="address_update",
    operation_id="address_update",
    summary=_doc(gettext_lazy("Change an address")),
)
def update_address(request: HttpRequest, address_id: int, payload: AddressPatch) -> dict[str, Any]:
    actor = _actor(request, "customers.change", ApiToken.Scope.WRITE)
    address = selectors.address_get(actor=actor, pk=address_id)
    fields = ("kind", "country", "province", "city", "district", "postal_code", "is_primary")
    current = {f: getattr(address, f) for f in fields}
    data = services.AddressInput(**{**current, "line": None, **payload.sent()})
    return _address_out(services.address_update(actor=actor, address=address, data=data))


@router.delete(
    "/addresses/{int:address_id}",
    response={204: None},
    url_name="address_delete",
    operation_id="address_delete",
    summary=_doc(gettext_lazy("Remove an address")),
)
def delete_address(request: HttpRequest, address_id: int) -> Status[None]:
    actor = _actor(request, "customers.change", ApiToken.Scope.WRITE)
    services.address_delete(actor=actor, address=selectors.address_get(actor=actor, pk=address_id))
    return Status(204, None)


# --- consent ----------------------------------------------------------------------------------------------------------
@router.get(
    "/{int:customer_id}/consents",
    response=ConsentsOut,
    url_name="customer_consents",
    operation_id="customer_consents",
    summary=_doc(gettext_lazy("A customer's consent: the state now and the whole history")),
)
def list_consents(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    actor = _actor(request, "customers.view")
    history = selectors.consents_of(actor=actor, customer_id=customer_id)
    return {
        "current": [_consent_out(c) for c in selectors.consent_current(history)],
        "history": [_consent_out(c) for c in history],
    }


@router.post(
    "/{int:customer_id}/consents",
    response={201: ConsentOut},
    url_name="consent_create",
    operation_id="consent_create",
    summary=_doc(gettext_lazy("Record consent granted or withdrawn (records are never changed)")),
)
def create_consent(request: HttpRequest, customer_id: int, payload: ConsentIn) -> Status[dict[str, Any]]:
    actor = _actor(request, "customers.change", ApiToken.Scope.WRITE)
    customer = customer_get(actor=actor, pk=customer_id)
    data = services.ConsentInput(**payload.model_dump())
    return Status(201, _consent_out(services.consent_record(actor=actor, customer=customer, data=data)))


# --- custom fields ----------------------------------------------------------------------------------------------------
@router.get(
    "/fields",
    response=list[CustomFieldOut],
    url_name="customer_fields",
    operation_id="customer_fields",
    summary=_doc(gettext_lazy("The custom fields a customer's `custom` object may carry")),
)
def list_fields(request: HttpRequest) -> list[dict[str, Any]]:
    _actor(request, "customers.view")
    return [
        {
            "key": d.key,
            "label": d.label,
            "type": d.type,
            "choices": [str(c) for c in d.choices or []],
            "required": d.required,
            "help_text": d.help_text,
            "order": d.order,
            "show_in_list": d.show_in_list,
        }
        for d in custom_field_definitions(request)
    ]
