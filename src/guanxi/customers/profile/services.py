"""Writes to a customer's related records: contacts, phone numbers, email addresses, addresses, tags, consent, and
the custom-field definitions. Each service locks the customer inside the actor's scope (out of scope: 404), so two
people editing one customer's records never interleave (one primary at a time), and writes an audit row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts import scoping
from guanxi.accounts.models import User
from guanxi.audit.models import AuditEntry
from guanxi.audit.services import audit_record, diff, snapshot
from guanxi.customers import services as customer_services
from guanxi.customers.models import (
    Address,
    Consent,
    Contact,
    Customer,
    CustomerEmail,
    CustomerPhone,
    CustomFieldDefinition,
    Tag,
)
from guanxi.customers.search.keys import phone_grams, pinyin_keys
from guanxi.customers.search.services import search_refresh
from guanxi.customers.services import email_digest, normalize_email, normalize_phone, phone_digest

CONTACT_FIELDS = ["name", "title", "role", "phone", "email", "wechat", "is_primary", "notes"]
CONTACT_SENSITIVE = ("phone", "email")
ADDRESS_FIELDS = ["kind", "country", "province", "city", "district", "line", "postal_code", "is_primary"]
FIELD_DEFINITION_FIELDS = [
    "key",
    "label",
    "type",
    "choices",
    "required",
    "help_text",
    "order",
    "show_in_list",
    "active",
]


def _lock_customer(actor: User, customer_id: int) -> Customer:
    """The customer, locked, if the actor may change it: no permission → 403, outside the scope → 404."""
    if not actor.has_perm("customers.change"):
        raise PermissionDenied
    return scoping.get_scoped_or_404(actor, Customer.objects.select_for_update(), pk=customer_id)


def _touch(customer: Customer, fields: list[str]) -> None:
    customer.updated_at = timezone.now()
    customer.save(update_fields=[*fields, "updated_at"])


def _text(value: str | None, field: str, limit: int, errors: dict[str, list[str]], *, required: str = "") -> str:
    text = " ".join((value or "").split())
    if required and not text:
        errors.setdefault(field, []).append(required)
    elif len(text) > limit:
        errors.setdefault(field, []).append(_("At most %(limit)d characters.") % {"limit": limit})
    return text


def _choice(value: str, choices: list[str], field: str, errors: dict[str, list[str]]) -> str:
    if value not in choices:
        errors.setdefault(field, []).append(_("Choose a value from the list."))
    return value


def _normalized(fn: Any, value: str, field: str, errors: dict[str, list[str]]) -> str:
    try:
        return str(fn(value, field=field))
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
        return ""


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _demote_others(model: type[Any], customer: Customer, keep_pk: int) -> None:
    model.objects.filter(customer=customer, is_primary=True).exclude(pk=keep_pk).update(is_primary=False)


# --- contacts ---------------------------------------------------------------------------------------------------------
@dataclass
class ContactInput:
    """A contact's fields; phone and email None keep the stored (masked) value."""

    name: str
    title: str = ""
    role: str = ""
    phone: str | None = ""
    email: str | None = ""
    wechat: str = ""
    is_primary: bool = False
    notes: str = ""


def _clean_contact(data: ContactInput, existing: Contact | None = None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    phone = data.phone if data.phone is not None else (existing.phone if existing else "")
    email = data.email if data.email is not None else (existing.email if existing else "")
    cleaned = {
        "name": _text(data.name, "name", 100, errors, required=_("Enter the contact's name.")),
        "title": _text(data.title, "title", 100, errors),
        "role": _choice(data.role or "", [*Contact.Role.values, ""], "role", errors),
        "phone": _normalized(normalize_phone, phone, "phone", errors),
        "email": _normalized(normalize_email, email, "email", errors),
        "wechat": _text(data.wechat, "wechat", 50, errors),
        "is_primary": bool(data.is_primary),
        "notes": (data.notes or "").strip(),
    }
    _raise(errors)
    return cleaned


def _apply_contact(contact: Contact, cleaned: dict[str, Any]) -> None:
    for key, value in cleaned.items():
        setattr(contact, key, value)
    contact.phone_digest = phone_digest(contact.phone)
    contact.email_digest = email_digest(contact.email)
    contact.name_pinyin, contact.name_initials = pinyin_keys(contact.name)
    contact.phone_grams = phone_grams(contact.phone)


@transaction.atomic
def contact_create(*, actor: User, customer: Customer, data: ContactInput) -> Contact:
    customer = _lock_customer(actor, customer.pk)
    cleaned = _clean_contact(data)
    contact = Contact(customer=customer)
    if not Contact.objects.filter(customer=customer).exists():
        cleaned["is_primary"] = True  # the first contact is the primary one
    _apply_contact(contact, cleaned)
    contact.full_clean()
    contact.save()
    if contact.is_primary:
        _demote_others(Contact, customer, contact.pk)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=contact,
        changes=diff({}, snapshot(contact, CONTACT_FIELDS), masked=CONTACT_SENSITIVE),
        detail=f"customer #{customer.pk}",
    )
    search_refresh(contact.customer_id)  # the customer is found by its contacts' names and numbers
    return contact


@transaction.atomic
def contact_update(*, actor: User, contact: Contact, data: ContactInput) -> Contact:
    customer = _lock_customer(actor, contact.customer_id)
    contact = Contact.objects.get(pk=contact.pk, customer=customer)
    before = snapshot(contact, CONTACT_FIELDS)
    cleaned = _clean_contact(data, contact)
    _apply_contact(contact, cleaned)
    contact.full_clean()
    contact.save()
    if contact.is_primary:
        _demote_others(Contact, customer, contact.pk)
    changes = diff(before, snapshot(contact, CONTACT_FIELDS), masked=CONTACT_SENSITIVE)
    if changes:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=contact,
            changes=changes,
            detail=f"customer #{customer.pk}",
        )
    search_refresh(contact.customer_id)  # the customer is found by its contacts' names and numbers
    return contact


@transaction.atomic
def contact_delete(*, actor: User, contact: Contact) -> None:
    customer = _lock_customer(actor, contact.customer_id)
    contact = Contact.objects.get(pk=contact.pk, customer=customer)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        obj=contact,
        changes=diff(snapshot(contact, ["name", "title", "role"]), {}),
        detail=f"customer #{customer.pk}",
    )
    was_primary = contact.is_primary
    contact.delete()
    if was_primary:
        successor = Contact.objects.filter(customer=customer).order_by("name", "id").first()
        if successor is not None:
            Contact.objects.filter(pk=successor.pk).update(is_primary=True)
    search_refresh(customer.pk)


def contact_reveal(*, actor: User, contact: Contact, field: str) -> str:
    """A contact's clear phone or email, for a role with the reveal permission; audited."""
    if field not in CONTACT_SENSITIVE:
        raise ValidationError({"field": _("Only phone and email can be revealed.")})
    if not actor.has_perm("customers.reveal"):
        raise PermissionDenied
    scoping.get_scoped_or_404(actor, Customer.objects.all(), pk=contact.customer_id)
    contact = Contact.objects.get(pk=contact.pk)
    audit_record(actor=actor, action=AuditEntry.Action.REVEAL, obj=contact, detail=field)
    return str(getattr(contact, field))


# --- phones and emails ------------------------------------------------------------------------------------------------
def _channel_done(actor: User, customer: Customer, action: str, obj: Any, object_id: int, detail: str) -> None:
    before = snapshot(customer, ["phone", "email"])
    changed = customer_services.sync_channels(customer)
    _touch(customer, changed)
    changes = diff(before, snapshot(customer, ["phone", "email"]), masked=("phone", "email"))
    audit_record(
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(object_id),
        object_repr=f"{customer} · {detail}",
        changes=changes,
        detail=f"customer #{customer.pk}",
    )


@transaction.atomic
def phone_add(*, actor: User, customer: Customer, number: str, label: str = "", primary: bool = False) -> CustomerPhone:
    customer = _lock_customer(actor, customer.pk)
    customer_services.adopt_channels(customer)
    errors: dict[str, list[str]] = {}
    value = _normalized(normalize_phone, number, "number", errors)
    if not value and not errors:
        errors["number"] = [_("Enter a phone number.")]
    label = _text(label, "label", 30, errors)
    _raise(errors)
    if CustomerPhone.objects.filter(customer=customer, digest=phone_digest(value)).exists():
        raise ValidationError({"number": _("This customer already has this phone number.")})
    first = not CustomerPhone.objects.filter(customer=customer).exists()
    row = CustomerPhone.objects.create(
        customer=customer, number=value, digest=phone_digest(value), label=label, is_primary=primary or first
    )
    if row.is_primary:
        _demote_others(CustomerPhone, customer, row.pk)
    _channel_done(actor, customer, AuditEntry.Action.CREATE, row, row.pk, "phone")
    return row


@transaction.atomic
def phone_update(
    *, actor: User, phone: CustomerPhone, number: str | None, label: str = "", primary: bool = False
) -> CustomerPhone:
    """Change a number (None keeps it: a masked number need not be typed again), its label, or make it primary."""
    customer = _lock_customer(actor, phone.customer_id)
    row = CustomerPhone.objects.get(pk=phone.pk, customer=customer)
    errors: dict[str, list[str]] = {}
    value = _normalized(normalize_phone, row.number if number is None else number, "number", errors)
    if not value and not errors:
        errors["number"] = [_("Enter a phone number.")]
    label = _text(label, "label", 30, errors)
    _raise(errors)
    digest = phone_digest(value)
    if CustomerPhone.objects.filter(customer=customer, digest=digest).exclude(pk=row.pk).exists():
        raise ValidationError({"number": _("This customer already has this phone number.")})
    row.number, row.digest, row.label = value, digest, label
    row.is_primary = row.is_primary or primary
    row.save()
    if row.is_primary:
        _demote_others(CustomerPhone, customer, row.pk)
    _channel_done(actor, customer, AuditEntry.Action.UPDATE, row, row.pk, "phone")
    return row


@transaction.atomic
def phone_remove(*, actor: User, phone: CustomerPhone) -> None:
    customer = _lock_customer(actor, phone.customer_id)
    row = CustomerPhone.objects.get(pk=phone.pk, customer=customer)
    pk = row.pk
    row.delete()
    _channel_done(actor, customer, AuditEntry.Action.DELETE, row, pk, "phone")


@transaction.atomic
def email_add(
    *, actor: User, customer: Customer, address: str, label: str = "", primary: bool = False
) -> CustomerEmail:
    customer = _lock_customer(actor, customer.pk)
    customer_services.adopt_channels(customer)
    errors: dict[str, list[str]] = {}
    value = _normalized(normalize_email, address, "address", errors)
    if not value and not errors:
        errors["address"] = [_("Enter an email address.")]
    label = _text(label, "label", 30, errors)
    _raise(errors)
    if CustomerEmail.objects.filter(customer=customer, digest=email_digest(value)).exists():
        raise ValidationError({"address": _("This customer already has this email address.")})
    first = not CustomerEmail.objects.filter(customer=customer).exists()
    row = CustomerEmail.objects.create(
        customer=customer, address=value, digest=email_digest(value), label=label, is_primary=primary or first
    )
    if row.is_primary:
        _demote_others(CustomerEmail, customer, row.pk)
    _channel_done(actor, customer, AuditEntry.Action.CREATE, row, row.pk, "email")
    return row


@transaction.atomic
def email_update(
    *, actor: User, email: CustomerEmail, address: str | None, label: str = "", primary: bool = False
) -> CustomerEmail:
    """Change an address (None keeps it), its label, or make it primary."""
    customer = _lock_customer(actor, email.customer_id)
    row = CustomerEmail.objects.get(pk=email.pk, customer=customer)
    errors: dict[str, list[str]] = {}
    value = _normalized(normalize_email, row.address if address is None else address, "address", errors)
    if not value and not errors:
        errors["address"] = [_("Enter an email address.")]
    label = _text(label, "label", 30, errors)
    _raise(errors)
    digest = email_digest(value)
    if CustomerEmail.objects.filter(customer=customer, digest=digest).exclude(pk=row.pk).exists():
        raise ValidationError({"address": _("This customer already has this email address.")})
    row.address, row.digest, row.label = value, digest, label
    row.is_primary = row.is_primary or primary
    row.save()
    if row.is_primary:
        _demote_others(CustomerEmail, customer, row.pk)
    _channel_done(actor, customer, AuditEntry.Action.UPDATE, row, row.pk, "email")
    return row


@transaction.atomic
def email_remove(*, actor: User, email: CustomerEmail) -> None:
    customer = _lock_customer(actor, email.customer_id)
    row = CustomerEmail.objects.get(pk=email.pk, customer=customer)
    pk = row.pk
    row.delete()
    _channel_done(actor, customer, AuditEntry.Action.DELETE, row, pk, "email")


# --- addresses --------------------------------------------------------------------------------------------------------
@dataclass
class AddressInput:
    kind: str = Address.Kind.OFFICE
    country: str = "CN"
    province: str = ""
    city: str = ""
    district: str = ""
    line: str | None = ""  # the street line is masked data: None keeps the stored one
    postal_code: str = ""
    is_primary: bool = False


def _clean_address(data: AddressInput, existing: Address | None = None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    line = data.line if data.line is not None else (existing.line if existing else "")
    country = (data.country or "").strip().upper()
    if len(country) != 2 or not country.isalpha():
        errors["country"] = [_("Enter the two-letter country code, e.g. CN, HK, US.")]
    postal_code = _text(data.postal_code, "postal_code", 20, errors)
    cleaned: dict[str, Any] = {
        "kind": _choice(data.kind, Address.Kind.values, "kind", errors),
        "country": country,
        "province": _text(data.province, "province", 50, errors),
        "city": _text(data.city, "city", 50, errors),
        "district": _text(data.district, "district", 50, errors),
        "line": _text(line, "line", 300, errors),
        "postal_code": postal_code,
        "is_primary": bool(data.is_primary),
    }
    if country == "CN" and not errors:
        if not cleaned["province"]:
            errors["province"] = [_("Choose the province.")]
        if not cleaned["city"]:
            errors["city"] = [_("Choose the city.")]
        if postal_code and not (len(postal_code) == 6 and postal_code.isdigit()):
            errors["postal_code"] = [_("A mainland postal code has 6 digits.")]
    elif not errors and not (cleaned["line"] or cleaned["city"]):
        errors["line"] = [_("Enter the address.")]
    _raise(errors)
    return cleaned


def _address_done(actor: User, customer: Customer, action: str, address: Address, changes: dict[str, Any]) -> None:
    changed = customer_services.sync_address(customer)
    _touch(customer, changed)
    audit_record(actor=actor, action=action, obj=address, changes=changes, detail=f"customer #{customer.pk}")


@transaction.atomic
def address_create(*, actor: User, customer: Customer, data: AddressInput) -> Address:
    customer = _lock_customer(actor, customer.pk)
    cleaned = _clean_address(data)
    if not Address.objects.filter(customer=customer).exists():
        cleaned["is_primary"] = True
    address = Address(customer=customer, **cleaned)
    address.full_clean()
    address.save()
    if address.is_primary:
        _demote_others(Address, customer, address.pk)
    _address_done(
        actor,
        customer,
        AuditEntry.Action.CREATE,
        address,
        diff({}, snapshot(address, ADDRESS_FIELDS), masked=("line",)),
    )
    return address


@transaction.atomic
def address_update(*, actor: User, address: Address, data: AddressInput) -> Address:
    customer = _lock_customer(actor, address.customer_id)
    address = Address.objects.get(pk=address.pk, customer=customer)
    before = snapshot(address, ADDRESS_FIELDS)
    cleaned = _clean_address(data, address)
    cleaned["is_primary"] = cleaned["is_primary"] or address.is_primary
    for key, value in cleaned.items():
        setattr(address, key, value)
    address.full_clean()
    address.save()
    if address.is_primary:
        _demote_others(Address, customer, address.pk)
    _address_done(
        actor,
        customer,
        AuditEntry.Action.UPDATE,
        address,
        diff(before, snapshot(address, ADDRESS_FIELDS), masked=("line",)),
    )
    return address


@transaction.atomic
def address_delete(*, actor: User, address: Address) -> None:
    customer = _lock_customer(actor, address.customer_id)
    address = Address.objects.get(pk=address.pk, customer=customer)
    before = snapshot(address, ["kind", "country", "province", "city"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        obj=address,
        changes=diff(before, {}),
        detail=f"customer #{customer.pk}",
    )
    address.delete()
    _touch(customer, customer_services.sync_address(customer))


def address_reveal(*, actor: User, address: Address) -> str:
    customer = scoping.get_scoped_or_404(actor, Customer.objects.all(), pk=address.customer_id)
    return customer_services.customer_reveal(actor=actor, customer=customer, field="address", item=address.pk)


# --- tags -------------------------------------------------------------------------------------------------------------
@transaction.atomic
def tag_add(*, actor: User, customer: Customer, name: str) -> Tag:
    customer = _lock_customer(actor, customer.pk)
    names = customer_services.normalize_tag_names([name])
    if not names:
        raise ValidationError({"name": _("Enter a tag.")})
    before = snapshot(customer, ["tags"])
    tag = Tag.objects.filter(name__iexact=names[0]).first() or Tag.objects.get_or_create(name=names[0])[0]
    customer.tags.add(tag)
    changes = diff(before, snapshot(customer, ["tags"]))
    if changes:
        _touch(customer, [])
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=customer, changes=changes)
    return tag


@transaction.atomic
def tag_remove(*, actor: User, customer: Customer, tag: Tag) -> None:
    customer = _lock_customer(actor, customer.pk)
    before = snapshot(customer, ["tags"])
    customer.tags.remove(tag)
    changes = diff(before, snapshot(customer, ["tags"]))
    if changes:
        _touch(customer, [])
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=customer, changes=changes)


# --- consent ----------------------------------------------------------------------------------------------------------
@dataclass
class ConsentInput:
    purpose: str
    status: str
    channel: str = Consent.Channel.ANY
    recorded_at: Any = None  # aware datetime; now when left out
    evidence: str = ""


@transaction.atomic
def consent_record(*, actor: User, customer: Customer, data: ConsentInput) -> Consent:
    """Append one consent record (never edited or deleted: the history is the evidence)."""
    customer = _lock_customer(actor, customer.pk)
    errors: dict[str, list[str]] = {}
    _choice(data.purpose, Consent.Purpose.values, "purpose", errors)
    _choice(data.channel, Consent.Channel.values, "channel", errors)
    _choice(data.status, Consent.Status.values, "status", errors)
    recorded_at = data.recorded_at or timezone.now()
    if timezone.is_naive(recorded_at):
        recorded_at = timezone.make_aware(recorded_at)
    if recorded_at > timezone.now() + dt.timedelta(minutes=5):
        errors["recorded_at"] = [_("Consent cannot be recorded for a time in the future.")]
    evidence = (data.evidence or "").strip()
    if len(evidence) > 2000:
        errors["evidence"] = [_("At most %(limit)d characters.") % {"limit": 2000}]
    _raise(errors)
    consent = Consent(
        customer=customer,
        purpose=data.purpose,
        channel=data.channel,
        status=data.status,
        recorded_at=recorded_at,
        evidence=evidence,
        recorded_by=actor,
    )
    consent.full_clean()
    consent.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=consent,
        changes=diff({}, snapshot(consent, ["purpose", "channel", "status", "recorded_at"])),
        detail=f"customer #{customer.pk}",
    )
    return consent


# --- custom-field definitions -----------------------------------------------------------------------------------------
@dataclass
class FieldDefinitionInput:
    key: str
    label: str
    type: str = CustomFieldDefinition.Type.TEXT
    choices: list[str] | None = None
    required: bool = False
    help_text: str = ""
    order: int = 0
    show_in_list: bool = False
    active: bool = True


def _clean_definition(data: FieldDefinitionInput, existing: CustomFieldDefinition | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    key = (data.key or "").strip().lower()
    if existing is not None and key != existing.key:
        errors["key"] = [_("The key of a field cannot change: stored values use it.")]
    elif not key or not key.replace("_", "").replace("-", "").isalnum() or not key.isascii() or len(key) > 50:
        errors["key"] = [_("Use up to 50 lower-case letters, digits, - and _, e.g. contract_level.")]
    elif existing is None and CustomFieldDefinition.objects.filter(key=key).exists():
        errors["key"] = [_("A custom field with this key exists already.")]
    label = _text(data.label, "label", 100, errors, required=_("Enter the label people will see."))
    kind = _choice(data.type, CustomFieldDefinition.Type.values, "type", errors)
    choices = normalize_choices(data.choices or [])
    if kind in (CustomFieldDefinition.Type.CHOICE, CustomFieldDefinition.Type.MULTI_CHOICE) and not choices:
        errors["choices"] = [_("List the choices, one per line.")]
    if existing is not None and existing.type != kind:
        errors["type"] = [_("The type of a field cannot change: stored values use it. Add a new field instead.")]
    help_text = _text(data.help_text, "help_text", 200, errors)
    if not 0 <= int(data.order) <= 32767:
        errors["order"] = [_("Enter an order between 0 and 32767.")]
    _raise(errors)
    return {
        "key": key,
        "label": label,
        "type": kind,
        "choices": choices if kind in ("choice", "multi_choice") else [],
        "required": bool(data.required),
        "help_text": help_text,
        "order": int(data.order),
        "show_in_list": bool(data.show_in_list),
        "active": bool(data.active),
    }


def normalize_choices(raw: list[str]) -> list[str]:
    out: list[str] = []
    for item in raw:
        text = " ".join(str(item).split())
        if text and text not in out:
            out.append(text[:100])
    return out


def _check_manage_fields(actor: User) -> None:
    if not actor.has_perm("customers.manage_fields"):
        raise PermissionDenied


@transaction.atomic
def custom_field_create(*, actor: User, data: FieldDefinitionInput) -> CustomFieldDefinition:
    _check_manage_fields(actor)
    definition = CustomFieldDefinition(**_clean_definition(data, None))
    definition.full_clean()
    definition.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=definition,
        changes=diff({}, snapshot(definition, FIELD_DEFINITION_FIELDS)),
    )
    return definition


@transaction.atomic
def custom_field_update(
    *, actor: User, definition: CustomFieldDefinition, data: FieldDefinitionInput
) -> CustomFieldDefinition:
    _check_manage_fields(actor)
    definition = CustomFieldDefinition.objects.select_for_update().get(pk=definition.pk)
    before = snapshot(definition, FIELD_DEFINITION_FIELDS)
    for key, value in _clean_definition(data, definition).items():
        setattr(definition, key, value)
    definition.full_clean()
    definition.save()
    changes = diff(before, snapshot(definition, FIELD_DEFINITION_FIELDS))
    if changes:
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=definition, changes=changes)
    return definition
