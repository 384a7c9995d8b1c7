"""Every write to customers: validated, atomic, scope-checked and audited. The UI and the API both call these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts import scoping
from guanxi.accounts.models import User
from guanxi.audit.models import AuditEntry
from guanxi.audit.services import audit_record, diff, snapshot
from guanxi.core import crypto
from guanxi.customers.models import Customer
from guanxi.customers.search.keys import customer_keys

AUDITED_FIELDS = ["kind", "name", "phone", "email", "owner"]
SENSITIVE_FIELDS = ("phone", "email")


@dataclass
class CustomerInput:
    name: str
    kind: str = Customer.Kind.PERSON
    phone: str = ""
    email: str = ""
    owner: User | None = None


def normalize_phone(raw: str, region: str | None = None) -> str:
    """Any written form of a phone number → E.164 (`+8613812345678`); raises ValidationError naming the field."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, region or settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError({"phone": _("“%(value)s” is not a phone number.") % {"value": raw}}) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            {
                "phone": _(
                    "“%(value)s” is not a valid phone number. Mainland mobile numbers have 11 digits, e.g. "
                    "138 1234 5678; for other countries start with + and the country code."
                )
                % {"value": raw}
            }
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str) -> str:
    value = (raw or "").strip()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError({"email": _("“%(value)s” is not a valid email address.") % {"value": value}}) from None
    local, domain = value.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def _clean(data: CustomerInput) -> dict[str, Any]:
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
    for field, normalizer in (("phone", normalize_phone), ("email", normalize_email)):
        try:
            cleaned[field] = normalizer(getattr(data, field))
        except ValidationError as exc:
            for message in exc.message_dict[field]:
                errors.setdefault(field, []).append(message)
    if errors:
        raise ValidationError(errors)
    return cleaned


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


def _apply(customer: Customer, cleaned: dict[str, Any]) -> None:
    customer.kind = cleaned["kind"]
    customer.name = cleaned["name"]
    customer.phone = cleaned["phone"]
    customer.phone_digest = crypto.digest(cleaned["phone"])
    customer.email = cleaned["email"]
    customer.email_digest = crypto.digest(cleaned["email"].lower())
    for field, value in customer_keys(kind=customer.kind, name=customer.name, phones=[customer.phone]).items():
        setattr(customer, field, value)


@transaction.atomic
def customer_create(*, actor: User, data: CustomerInput) -> Customer:
    if not actor.has_perm("customers.create"):
        raise PermissionDenied
    cleaned = _clean(data)
    owner = (
        data.owner if data.owner is not None else (actor if scoping.user_scope(actor, "customers") != "all" else None)
    )
    _check_owner(actor, owner)
    customer = Customer(owner=owner, created_by=actor)
    _apply(customer, cleaned)
    customer.full_clean()
    customer.save()
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
    cleaned = _clean(data)
    owner = data.owner if data.owner is not None else customer.owner
    if owner != customer.owner:
        _check_owner(actor, owner)
    customer.owner = owner
    _apply(customer, cleaned)
    customer.full_clean()
    customer.save()
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


def customer_reveal(*, actor: User, customer: Customer, field: str) -> str:
    """The clear value of a masked field, for a role allowed to see it; every reveal is written to the audit log."""
    if field not in SENSITIVE_FIELDS:
        raise ValidationError({"field": _("Only phone and email can be revealed.")})
    if not actor.has_perm("customers.reveal"):
        raise PermissionDenied
    customer = scoping.get_scoped_or_404(actor, Customer.objects.all(), pk=customer.pk)
    audit_record(actor=actor, action=AuditEntry.Action.REVEAL, obj=customer, detail=field)
    return str(getattr(customer, field))


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
