"""Every write to customers: validated, atomic, scope-checked and audited. The UI and the API both call these.

A customer's phone numbers and email addresses live in CustomerPhone / CustomerEmail rows; `Customer.phone` and
`Customer.email` (and their digests, and the phone search grams over *all* numbers) mirror the primary ones and are kept
by `sync_channels`. Contacts, addresses, consent and custom-field definitions are written by customers.profile.services.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts import scoping
from guanxi.accounts.models import User
from guanxi.audit.models import AuditEntry
from guanxi.audit.services import audit_record, diff, snapshot
from guanxi.core import crypto
from guanxi.customers.customfields import custom_field_definitions, validate_custom_values
from guanxi.customers.models import (
    Address,
    CompanySize,
    Customer,
    CustomerEmail,
    CustomerPhone,
    Gender,
    Industry,
    LifecycleStage,
    OwnershipEvent,
    Source,
    Tag,
)
from guanxi.customers.search.keys import customer_keys
from guanxi.customers.search.services import search_refresh
from guanxi.customers.validators import normalize_id_number, normalize_uscc

AUDITED_FIELDS = [
    "kind",
    "name",
    "phone",
    "email",
    "owner",
    "gender",
    "birthday",
    "lunar_birth_month",
    "lunar_birth_day",
    "lunar_birth_leap",
    "industry",
    "company_size",
    "source",
    "lifecycle_stage",
    "uscc",
    "id_number",
    "notes",
    "custom",
    "tags",
]
SENSITIVE_FIELDS = ("phone", "email", "id_number")
REVEALABLE_FIELDS = ("phone", "email", "id_number", "address")
MAX_TAG_LENGTH = 50


@dataclass
class CustomerInput:
    """What a customer form or API call sends. `None` keeps the current value where a field allows it (id_number,
    tags, custom); every other field replaces the stored one (use `CustomerInput.from_customer` to start from it)."""

    name: str
    kind: str = Customer.Kind.PERSON
    phone: str | None = ""  # the primary phone (None keeps it); other numbers are managed one by one
    email: str | None = ""  # the primary email (None keeps it)
    owner: User | None = None
    gender: str = ""
    birthday: dt.date | None = None
    lunar_birth_month: int | None = None
    lunar_birth_day: int | None = None
    lunar_birth_leap: bool = False
    industry: str = ""
    company_size: str = ""
    source: str = ""
    lifecycle_stage: str = LifecycleStage.PROSPECT
    notes: str = ""
    uscc: str = ""
    id_number: str | None = None  # masked data: None keeps it, "" clears it
    tags: list[str] | None = None  # tag names; new names create tags
    # Custom-field values by key; only the keys given change (None or "" clears one); None changes nothing.
    custom: dict[str, Any] | None = field(default=None)
    # Every phone number / email address at once ({"number"|"address", "label", "is_primary"}); when given they replace
    # the customer's set and `phone` / `email` are ignored.
    phones: list[dict[str, Any]] | None = None
    emails: list[dict[str, Any]] | None = None
    # Save even when the duplicate check finds a strong match (the user saw the warning and confirmed).
    allow_duplicate: bool = False

    @classmethod
    def from_customer(cls, customer: Customer, **changes: Any) -> CustomerInput:
        """The customer as it is, with `changes` applied: the starting point of a partial update."""
        base = cls(
            name=customer.name,
            kind=customer.kind,
            phone=customer.phone,
            email=customer.email,
            owner=customer.owner,
            gender=customer.gender,
            birthday=customer.birthday,
            lunar_birth_month=customer.lunar_birth_month,
            lunar_birth_day=customer.lunar_birth_day,
            lunar_birth_leap=customer.lunar_birth_leap,
            industry=customer.industry,
            company_size=customer.company_size,
            source=customer.source,
            lifecycle_stage=customer.lifecycle_stage,
            notes=customer.notes,
            uscc=customer.uscc,
        )
        return dataclasses.replace(base, **changes)


# --- normalisation ----------------------------------------------------------------------------------------------------
def normalize_phone(raw: str, region: str | None = None, *, field: str = "phone") -> str:
    """Any written form of a phone number → E.164 (`+8613812345678`); raises ValidationError naming the field."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, region or settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError({field: _("“%(value)s” is not a phone number.") % {"value": raw}}) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            {
                field: _(
                    "“%(value)s” is not a valid phone number. Mainland mobile numbers have 11 digits, e.g. "
                    "138 1234 5678; for other countries start with + and the country code."
                )
                % {"value": raw}
            }
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str, *, field: str = "email") -> str:
    value = (raw or "").strip()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError({field: _("“%(value)s” is not a valid email address.") % {"value": value}}) from None
    local, domain = value.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def phone_digest(number: str) -> str:
    return crypto.digest(number)


def email_digest(address: str) -> str:
    return crypto.digest(address.lower())


def normalize_tag_names(names: list[str]) -> list[str]:
    """Tag names stripped, without repeats (first spelling wins); ValidationError on "tags" for a name too long."""
    seen: dict[str, str] = {}
    for raw in names:
        name = " ".join(str(raw).split())
        if not name:
            continue
        if len(name) > MAX_TAG_LENGTH:
            raise ValidationError(
                {"tags": _("The tag “%(name)s” is too long (at most 50 characters).") % {"name": name[:60]}}
            )
        seen.setdefault(name.casefold(), name)
    return list(seen.values())


def _collect(errors: dict[str, list[str]], exc: ValidationError) -> None:
    for key, messages in exc.message_dict.items():
        errors.setdefault(key, []).extend(messages)


def _clean(data: CustomerInput, *, customer: Customer | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    name = " ".join((data.name or "").split())
    if not name:
        errors.setdefault("name", []).append(_("Enter the customer's name."))
    elif len(name) > 200:
        errors.setdefault("name", []).append(_("The name is too long (at most 200 characters)."))
    cleaned["name"] = name
    if data.kind not in Customer.Kind.values:
        errors.setdefault("kind", []).append(_("Choose person or company."))
    cleaned["kind"] = data.kind
    for key, normalizer in (("phone", normalize_phone), ("email", normalize_email)):
        raw = getattr(data, key)
        if raw is None:
            cleaned[key] = getattr(customer, key) if customer is not None else ""
            continue
        try:
            cleaned[key] = normalizer(raw)
        except ValidationError as exc:
            _collect(errors, exc)

    for key, choices, message in (
        ("gender", Gender.values, _("Choose a gender from the list.")),
        ("industry", Industry.values, _("Choose an industry from the list.")),
        ("company_size", CompanySize.values, _("Choose a company size from the list.")),
        ("source", [*Source.values, ""], _("Choose a source from the list.")),
        ("lifecycle_stage", LifecycleStage.values, _("Choose a lifecycle stage from the list.")),
    ):
        value = getattr(data, key) or ""
        if value not in choices:
            errors.setdefault(key, []).append(message)
        cleaned[key] = value

    birthday = data.birthday
    if birthday is not None and (birthday > timezone.localdate() or birthday.year < 1900):
        errors.setdefault("birthday", []).append(_("Enter a birthday between 1900 and today."))
    cleaned["birthday"] = birthday
    month, day = data.lunar_birth_month, data.lunar_birth_day
    if (month is None) != (day is None):
        key = "lunar_birth_day" if day is None else "lunar_birth_month"
        errors.setdefault(key, []).append(_("Give both the month and the day of the lunar birthday, or neither."))
    if month is not None and not 1 <= month <= 12:
        errors.setdefault("lunar_birth_month", []).append(_("A lunar month is between 1 and 12."))
    if day is not None and not 1 <= day <= 30:
        errors.setdefault("lunar_birth_day", []).append(_("A lunar day is between 1 and 30."))
    if data.lunar_birth_leap and month is None:
        errors.setdefault("lunar_birth_leap", []).append(_("A leap month needs a lunar birthday."))
    cleaned["lunar_birth_month"], cleaned["lunar_birth_day"] = month, day
    cleaned["lunar_birth_leap"] = bool(data.lunar_birth_leap and month is not None)

    notes = (data.notes or "").strip()
    if len(notes) > 10000:
        errors.setdefault("notes", []).append(_("The notes are too long (at most 10,000 characters)."))
    cleaned["notes"] = notes

    try:
        uscc = normalize_uscc(data.uscc)
    except ValidationError as exc:
        _collect(errors, exc)
        uscc = ""
    if uscc and data.kind != Customer.Kind.COMPANY:
        errors.setdefault("uscc", []).append(_("Only a company has a unified social credit code."))
    elif uscc and _uscc_taken(uscc, customer):
        errors.setdefault("uscc", []).append(_uscc_taken_message())
    cleaned["uscc"] = uscc

    if data.id_number is not None:
        try:
            cleaned["id_number"] = normalize_id_number(data.id_number)
        except ValidationError as exc:
            _collect(errors, exc)

    if data.tags is not None:
        try:
            cleaned["tags"] = normalize_tag_names(data.tags)
        except ValidationError as exc:
            _collect(errors, exc)

    for key, rows, attr, normalizer in (
        ("phones", data.phones, "number", normalize_phone),
        ("emails", data.emails, "address", normalize_email),
    ):
        if rows is not None:
            try:
                cleaned[key] = _clean_rows(key, rows, attr, normalizer)
            except ValidationError as exc:
                _collect(errors, exc)

    if data.custom is not None or customer is None:
        try:
            cleaned["custom"] = _clean_custom(data.custom or {}, customer)
        except ValidationError as exc:
            _collect(errors, exc)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_rows(name: str, rows: list[dict[str, Any]], attr: str, normalizer: Any) -> list[tuple[str, str, bool]]:
    """(value, label, is_primary) per row, normalised; errors keyed `phones.<n>` / `emails.<n>` naming the row."""
    errors: dict[str, list[str]] = {}
    planned: list[tuple[str, str, bool]] = []
    seen: set[str] = set()
    for index, item in enumerate(rows):
        messages: list[str] = []
        value = ""
        try:
            value = normalizer(str(item.get(attr) or ""), field=attr)
        except ValidationError as exc:
            messages += [m for ms in exc.message_dict.values() for m in ms]
        if not value and not messages:
            messages.append(_("Enter a value or remove the row."))
        if value and value.lower() in seen:
            messages.append(_("The same value appears twice."))
        seen.add(value.lower())
        label = " ".join(str(item.get("label") or "").split())
        if len(label) > 30:
            messages.append(_("The label is too long (at most 30 characters)."))
        if messages:
            errors[f"{name}.{index}"] = [
                _("Row %(row)d: %(message)s") % {"row": index + 1, "message": m} for m in messages
            ]
        planned.append((value, label, bool(item.get("is_primary"))))
    if errors:
        raise ValidationError(errors)
    return planned


def _replace_rows(customer: Customer, model: type[Any], attr: str, planned: list[tuple[str, str, bool]]) -> None:
    digester = phone_digest if model is CustomerPhone else email_digest
    model.objects.filter(customer=customer).delete()
    primary_index = next((i for i, row in enumerate(planned) if row[2]), 0)
    model.objects.bulk_create(
        [
            model(
                customer=customer, **{attr: value}, digest=digester(value), label=label, is_primary=i == primary_index
            )
            for i, (value, label, _primary) in enumerate(planned)
        ]
    )


def _uscc_taken(uscc: str, customer: Customer | None) -> bool:
    """Any customer at all (whoever owns it) already has this code: the strongest duplicate key."""
    others = Customer.objects.filter(uscc=uscc)
    if customer is not None and customer.pk is not None:
        others = others.exclude(pk=customer.pk)
    return others.exists()


def _uscc_taken_message() -> str:
    return _("Another customer already has this unified social credit code; search for it instead of adding it again.")


def _clean_custom(raw: dict[str, Any], customer: Customer | None) -> dict[str, Any]:
    """The custom values after applying `raw` (the keys it names) to the stored ones, validated by type against the
    active definitions; values of retired fields are kept as they were.

    Errors are keyed `custom.<key>` and name the field's label.
    """
    definitions = custom_field_definitions()
    active = {d.key for d in definitions}
    retired = {d.key for d in custom_field_definitions(include_inactive=True)} - active
    stored = customer.custom if customer is not None else {}
    merged = {k: v for k, v in stored.items() if k in active}
    merged.update({k: v for k, v in raw.items() if k not in retired})
    try:
        values = validate_custom_values(definitions, merged)
    except ValidationError as exc:
        raise ValidationError({f"custom.{key}": messages for key, messages in exc.message_dict.items()}) from None
    kept = {k: v for k, v in (customer.custom if customer is not None else {}).items() if k not in active}
    return {**kept, **values}


# --- owners -----------------------------------------------------------------------------------------------------------
def _check_owner(actor: User, owner: User | None) -> None:
    """The actor may only hand a customer to someone inside their own data scope (or keep it unassigned with `all`)."""
    scope_value = scoping.user_scope(actor, "customers")
    if owner is None:
        if scope_value != "all":
            raise ValidationError({"owner": _("Choose an owner.")})
        return
    if not owner.is_active:
        raise ValidationError({"owner": _("%(user)s is deactivated and cannot own customers.") % {"user": owner}})
    if not scoping.assignable_owners(actor, "customers").filter(pk=owner.pk).exists():
        raise ValidationError({"owner": _("You can only assign customers to people within your data scope.")})


# --- phones, emails and their mirror on the customer ------------------------------------------------------------------
def adopt_channels(customer: Customer) -> None:
    """Customers written before phones and emails had their own rows (or by bulk paths) keep their number and address
    only on the customer; give them rows before anything changes the set."""
    if customer.phone and not CustomerPhone.objects.filter(customer=customer).exists():
        CustomerPhone.objects.create(
            customer=customer, number=customer.phone, digest=phone_digest(customer.phone), is_primary=True
        )
    if customer.email and not CustomerEmail.objects.filter(customer=customer).exists():
        CustomerEmail.objects.create(
            customer=customer, address=customer.email, digest=email_digest(customer.email), is_primary=True
        )


def _one_primary(rows: list[Any]) -> Any:
    """Make exactly one row primary (the first by the model's order when none is) and return it."""
    if not rows:
        return None
    primaries = [r for r in rows if r.is_primary]
    keep = primaries[0] if primaries else rows[0]
    for row in rows:
        if row.is_primary != (row is keep):
            row.is_primary = row is keep
            type(row).objects.filter(pk=row.pk).update(is_primary=row.is_primary)
    return keep


def sync_channels(customer: Customer) -> list[str]:
    """Copy the primary phone and email (and the search keys over every number) onto the customer; returns the
    changed fields (the caller saves them)."""
    phones = list(CustomerPhone.objects.filter(customer=customer).order_by("-is_primary", "id"))
    emails = list(CustomerEmail.objects.filter(customer=customer).order_by("-is_primary", "id"))
    primary_phone = _one_primary(phones)
    primary_email = _one_primary(emails)
    values: dict[str, Any] = {
        "phone": primary_phone.number if primary_phone else "",
        "phone_digest": primary_phone.digest if primary_phone else "",
        "email": primary_email.address if primary_email else "",
        "email_digest": primary_email.digest if primary_email else "",
    }
    numbers = [primary_phone.number] if primary_phone else []
    numbers += [p.number for p in phones if p is not primary_phone]
    values.update(customer_keys(kind=customer.kind, name=customer.name, phones=numbers))
    changed = [k for k, v in values.items() if getattr(customer, k) != v]
    for key in changed:
        setattr(customer, key, values[key])
    return changed


def sync_address(customer: Customer) -> list[str]:
    """Copy province and city of the primary address onto the customer; returns the changed fields."""
    addresses = list(Address.objects.filter(customer=customer).order_by("-is_primary", "id"))
    primary = _one_primary(addresses)
    values = {"province": primary.province if primary else "", "city": primary.city if primary else ""}
    changed = [k for k, v in values.items() if getattr(customer, k) != v]
    for key in changed:
        setattr(customer, key, values[key])
    return changed


def _set_primary_channel(customer: Customer, model: type[Any], attr: str, value: str, digest: str) -> None:
    """Make `value` the primary phone/email: promote it if the customer has it already, else replace the primary one;
    "" removes the primary one (the next becomes primary)."""
    rows = list(model.objects.filter(customer=customer).order_by("-is_primary", "id"))
    primary = next((r for r in rows if r.is_primary), None)
    if value == (getattr(primary, attr) if primary else ""):
        return
    if not value:
        if primary is not None:
            primary.delete()
        return
    existing = next((r for r in rows if r.digest == digest), None)
    if existing is not None:
        model.objects.filter(customer=customer).exclude(pk=existing.pk).update(is_primary=False)
        model.objects.filter(pk=existing.pk).update(is_primary=True)
    elif primary is not None:
        setattr(primary, attr, value)
        primary.digest = digest
        primary.save(update_fields=[attr, "digest", "updated_at"])
    else:
        model.objects.filter(customer=customer).update(is_primary=False)
        model.objects.create(customer=customer, **{attr: value}, digest=digest, is_primary=True)


def set_tags(customer: Customer, names: list[str]) -> None:
    """The customer's tags become exactly these names; unknown names become new tags."""
    tags = []
    for name in names:
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            tag, _created = Tag.objects.get_or_create(name=name)
        tags.append(tag)
    customer.tags.set(tags)


def _apply(customer: Customer, cleaned: dict[str, Any]) -> None:
    for key in (
        "kind",
        "name",
        "gender",
        "birthday",
        "lunar_birth_month",
        "lunar_birth_day",
        "lunar_birth_leap",
        "industry",
        "company_size",
        "source",
        "lifecycle_stage",
        "notes",
        "uscc",
        "id_number",
        "custom",
    ):
        if key in cleaned:
            setattr(customer, key, cleaned[key])
    if "id_number" in cleaned:
        customer.id_number_digest = crypto.digest(cleaned["id_number"])


def _save(customer: Customer, **kwargs: Any) -> None:
    """Save; a credit code taken by a concurrent writer between the check and the save becomes a field error."""
    try:
        with transaction.atomic():
            customer.save(**kwargs)
    except IntegrityError:
        if customer.uscc and _uscc_taken(customer.uscc, customer):
            raise ValidationError({"uscc": _uscc_taken_message()}) from None
        raise


def _write_channels_and_tags(customer: Customer, cleaned: dict[str, Any]) -> None:
    adopt_channels(customer)
    if "phones" in cleaned:
        _replace_rows(customer, CustomerPhone, "number", cleaned["phones"])
    else:
        _set_primary_channel(customer, CustomerPhone, "number", cleaned["phone"], phone_digest(cleaned["phone"]))
    if "emails" in cleaned:
        _replace_rows(customer, CustomerEmail, "address", cleaned["emails"])
    else:
        _set_primary_channel(customer, CustomerEmail, "address", cleaned["email"], email_digest(cleaned["email"]))
    if "tags" in cleaned:
        set_tags(customer, cleaned["tags"])
    sync_channels(customer)


def _full_clean(customer: Customer) -> None:
    # The one-code-per-customer constraint is checked by the services with a clearer message (and by the database).
    customer.full_clean(validate_constraints=False)


def _check_duplicates(actor: User, data: CustomerInput, cleaned: dict[str, Any], *, exclude_id: int | None) -> None:
    """Refuse a strong duplicate (same USCC, phone, email, ID number or company) unless the user confirmed it."""
    from guanxi.customers.dedupe.selectors import DuplicateCandidate
    from guanxi.customers.dedupe.services import duplicate_check_or_raise

    candidate = DuplicateCandidate.build(
        name=cleaned.get("name") or "",
        kind=cleaned.get("kind") or "",
        phones=[p for p in [cleaned.get("phone")] if p],
        emails=[e for e in [cleaned.get("email")] if e],
        uscc=cleaned.get("uscc") or "",
        id_number=cleaned.get("id_number") or "",
    )
    duplicate_check_or_raise(actor=actor, candidate=candidate, exclude_id=exclude_id, allow=data.allow_duplicate)


@transaction.atomic
def customer_create(*, actor: User, data: CustomerInput) -> Customer:
    if not actor.has_perm("customers.create"):
        raise PermissionDenied
    cleaned = _clean(data, customer=None)
    owner = (
        data.owner if data.owner is not None else (actor if scoping.user_scope(actor, "customers") != "all" else None)
    )
    _check_owner(actor, owner)
    _check_duplicates(actor, data, cleaned, exclude_id=None)
    customer = Customer(owner=owner, created_by=actor, owner_since=timezone.now() if owner is not None else None)
    _apply(customer, cleaned)
    for key, value in customer_keys(kind=customer.kind, name=customer.name).items():
        setattr(customer, key, value)
    _full_clean(customer)
    _save(customer)
    _write_channels_and_tags(customer, cleaned)
    customer.save()
    OwnershipEvent.objects.create(customer=customer, kind=OwnershipEvent.Kind.CREATE, to_user=owner, actor=actor)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=customer,
        changes=diff({}, snapshot(customer, AUDITED_FIELDS), masked=SENSITIVE_FIELDS),
    )
    return customer


@transaction.atomic
def customer_update(*, actor: User, customer: Customer, data: CustomerInput) -> Customer:
    if not actor.has_perm("customers.change"):
        raise PermissionDenied
    # Lock the row inside the actor's scope: an out-of-scope id behaves as if it did not exist.
    customer = scoping.get_scoped_or_404(actor, Customer.objects.select_for_update(), pk=customer.pk)
    before = snapshot(customer, AUDITED_FIELDS)
    cleaned = _clean(data, customer=customer)
    _check_duplicates(actor, data, cleaned, exclude_id=customer.pk)
    owner = data.owner if data.owner is not None else customer.owner
    if owner != customer.owner:
        _check_owner(actor, owner)
    customer.owner = owner
    _apply(customer, cleaned)
    _write_channels_and_tags(customer, cleaned)
    _full_clean(customer)
    _save(customer)
    search_refresh(customer.pk)
    changes = diff(before, snapshot(customer, AUDITED_FIELDS), masked=SENSITIVE_FIELDS)
    if changes:
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=customer, changes=changes)
    return customer


@transaction.atomic
def customer_delete(*, actor: User, customer: Customer) -> None:
    if not actor.has_perm("customers.delete"):
        raise PermissionDenied
    customer = scoping.get_scoped_or_404(actor, Customer.objects.select_for_update(), pk=customer.pk)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        obj=customer,
        changes=diff(snapshot(customer, ["kind", "name", "owner"]), {}),
    )
    customer.delete()


def customer_reveal(*, actor: User, customer: Customer, field: str, item: int | None = None) -> str:
    """The clear value of a masked field, for a role allowed to see it; every reveal is written to the audit log.

    `field` is phone, email, id_number or address (the street line); `item` picks one of the customer's phone numbers,
    email addresses or addresses by id (default: the primary one).
    """
    if field not in REVEALABLE_FIELDS:
        raise ValidationError({"field": _("Only phone, email, ID number and address can be revealed.")})
    if not actor.has_perm("customers.reveal"):
        raise PermissionDenied
    customer = scoping.get_scoped_or_404(actor, Customer.objects.all(), pk=customer.pk)
    value = _revealed_value(customer, field, item)
    detail = field if item is None else f"{field} #{item}"
    audit_record(actor=actor, action=AuditEntry.Action.REVEAL, obj=customer, detail=detail)
    return value


def _revealed_value(customer: Customer, field: str, item: int | None) -> str:
    missing = ValidationError({"item": _("This customer has no such entry.")})
    if field == "id_number":
        return str(customer.id_number)
    if field == "address":
        addresses = Address.objects.filter(customer=customer)
        address = (
            addresses.filter(pk=item).first() if item is not None else addresses.order_by("-is_primary", "id").first()
        )
        if address is None:
            raise missing
        return str(address.line)
    if item is None:
        return str(getattr(customer, field))
    model: type[Any] = CustomerPhone if field == "phone" else CustomerEmail
    row = model.objects.filter(customer=customer, pk=item).first()
    if row is None:
        raise missing
    return str(row.number if field == "phone" else row.address)


def customer_record_follow_up(
    *, customer: Customer, at: Any, summary: str, next_contact_at: Any = None, clear_next: bool = False
) -> None:
    """Keep the customer's follow-up summary current after an interaction (called by the interactions services).

    One conditional UPDATE: an older interaction logged late never overwrites a newer one, and concurrent loggers
    cannot interleave a read and a write.
    """
    newer = Q(last_follow_up_at__isnull=True) | Q(last_follow_up_at__lte=at)
    Customer.objects.filter(newer, pk=customer.pk).update(
        last_follow_up_at=at, last_follow_up_summary=summary[:255], updated_at=timezone.now()
    )
    if next_contact_at is not None or clear_next:
        Customer.objects.filter(pk=customer.pk).update(next_contact_at=next_contact_at)
