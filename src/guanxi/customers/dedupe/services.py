"""Writes of the duplicate area: the blocking duplicate check of the API and the import, and the merge of two customers.

A merge is one transaction: both rows locked (lower id first) and checked against the actor's scope after locking;
every row that points at the merged customer moved to the one kept (phones and emails de-duplicated by digest, tags
united, other apps through `handlers.merge_handlers`, anything left by a sweep over every foreign key to Customer); the
fields chosen per field; a MergeRecord holding the merged customer as it was (sensitive values encrypted) with the ids
of everything moved, and the kept customer as it was before; two audit entries; an ownership event; then the merged
customer is deleted. The record and the audit log hold what is needed to recreate it by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Case, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from guanxi.accounts import scoping
from guanxi.audit.models import AuditEntry
from guanxi.audit.services import audit_record, diff, snapshot
from guanxi.core import crypto
from guanxi.customers import services as customer_services
from guanxi.customers.dedupe.fields import (
    BOTH,
    FIELD_GROUPS,
    MERGED,
    SENSITIVE,
    SURVIVOR,
    attname,
    default_sides,
)
from guanxi.customers.dedupe.handlers import merge_handlers
from guanxi.customers.dedupe.selectors import (
    DuplicateCandidate,
    DuplicateMatch,
    duplicate_message,
    find_duplicates,
)
from guanxi.customers.models import (
    Address,
    Consent,
    Contact,
    Customer,
    CustomerEmail,
    CustomerPhone,
    MergeRecord,
    OwnershipEvent,
    Tag,
)
from guanxi.customers.search.services import search_refresh

# Matches from this strength on stop an API call or an import row (same USCC, ID number, phone, email or company
# name); weaker ones (similar or same-sounding names) are only shown as a warning while typing.
BLOCKING_STRENGTH = 70

# Derived columns: recomputed after the merge, not worth keeping in the record.
_DERIVED = {"name_key", "name_pinyin", "name_initials", "phone_grams", "search_text"}
# Relations the merge moves itself; every other foreign key to Customer is handled by the handlers or the sweep.
# Rows the merge moves as they are: (name in the record, model, whether the survivor's primary one stays primary).
_MOVES: tuple[tuple[str, type[models.Model], bool], ...] = (
    ("contacts", Contact, True),
    ("addresses", Address, True),
    ("consents", Consent, False),
    ("ownership_events", OwnershipEvent, False),
)
_OWN_RELATIONS = {Contact, CustomerPhone, CustomerEmail, Address, Consent, OwnershipEvent, MergeRecord, Tag}


# --- the blocking duplicate check -------------------------------------------------------------------------------------
def duplicate_check_or_raise(
    *,
    actor: Any,
    candidate: DuplicateCandidate,
    exclude_id: int | None = None,
    allow: bool = False,
    min_strength: int = BLOCKING_STRENGTH,
) -> list[DuplicateMatch]:
    """Raise ValidationError (code "duplicate", keyed by the field that matched) when `candidate` duplicates an
    existing customer, unless `allow` says the caller has seen the warning and wants the record anyway.

    The messages name a match only when it is inside the actor's scope; otherwise they tell its owner or pool.
    Returns the weaker matches that did not block (for a warning).
    """
    if allow:
        return []
    matches = find_duplicates(actor=actor, candidate=candidate, exclude_id=exclude_id)
    blocking = [m for m in matches if m.strength >= min_strength]
    if blocking:
        errors: dict[str, list[ValidationError]] = {}
        for match in blocking:
            key = match.fields[0] if match.fields else NON_FIELD_ERRORS
            errors.setdefault(key, []).append(
                ValidationError(duplicate_message(match), code="duplicate", params={"strength": match.strength})
            )
        raise ValidationError(errors)
    return matches


# --- merge ------------------------------------------------------------------------------------------------------------
def _record_of(customer: Customer) -> dict[str, Any]:
    """Every stored field of `customer` (sensitive values encrypted with the field key), its custom fields and tags."""
    names = [f.name for f in customer._meta.concrete_fields if f.name not in _DERIVED]
    out = snapshot(customer, [*names, "tags"])
    for name in SENSITIVE:
        out[name] = crypto.encrypt(str(getattr(customer, name) or ""))
    return out


def _rows_of(rows: Iterable[models.Model], value_field: str) -> list[dict[str, Any]]:
    """Full rows (the number or address encrypted) of the phones or emails the merge removes instead of moving."""
    return [
        {
            **snapshot(row, ["id", "digest", "label", "is_primary", "created_at"]),
            value_field: crypto.encrypt(str(getattr(row, value_field))),
        }
        for row in rows
    ]


def _lock(actor: Any, survivor: Customer, merged: Customer) -> tuple[Customer, Customer]:
    """Lock both rows, lower id first (so two merges of the same pair cannot deadlock), then check the scope."""
    locked: dict[int, Customer] = {}
    for pk in sorted((survivor.pk, merged.pk)):
        row = Customer.objects.select_for_update().filter(pk=pk).first()
        if row is None:
            raise Http404
        locked[pk] = row
    if scoping.scope(actor, Customer.objects.filter(pk__in=list(locked))).count() != 2:
        raise Http404
    return locked[survivor.pk], locked[merged.pk]


def _clean_choices(choices: dict[str, str], survivor: Customer, merged: Customer) -> dict[str, str]:
    """Every field group's side ("survivor", "merged" or, for notes, "both"); the default keeps the survivor's value
    unless it is empty. Custom fields are chosen as "custom:<key>"."""
    errors: list[str] = []
    out: dict[str, str] = {}
    custom_keys = set(survivor.custom or {}) | set(merged.custom or {})
    for key, side in choices.items():
        allowed = {SURVIVOR, MERGED, BOTH} if key == "notes" else {SURVIVOR, MERGED}
        known = key in FIELD_GROUPS or (key.startswith("custom:") and key[7:] in custom_keys)
        if not known:
            errors.append(_("“%(field)s” cannot be chosen in a merge.") % {"field": key})
        elif side not in allowed:
            errors.append(_("Choose which customer's value to keep for “%(field)s”.") % {"field": key})
        else:
            out[key] = side
    if errors:
        raise ValidationError({"choices": errors})
    for key, side in default_sides(survivor, merged).items():
        out.setdefault(key, side)
    return out


def _apply_choices(survivor: Customer, merged: Customer, sides: dict[str, str]) -> None:
    for key, names in FIELD_GROUPS.items():
        side = sides[key]
        if side == BOTH:  # notes only
            parts = [p for p in (survivor.notes.strip(), merged.notes.strip()) if p]
            survivor.notes = "\n\n".join(dict.fromkeys(parts))
            continue
        if side == MERGED:
            for name in names:
                column = attname(name)
                setattr(survivor, column, getattr(merged, column))
    custom = dict(survivor.custom or {})
    for key, side in sides.items():
        if key.startswith("custom:") and side == MERGED:
            ckey = key[7:]
            if ckey in (merged.custom or {}):
                custom[ckey] = merged.custom[ckey]
            else:
                custom.pop(ckey, None)
    survivor.custom = custom
    # Follow-up summary: the latest follow-up and the earliest planned contact of the two.
    if merged.last_follow_up_at and (
        survivor.last_follow_up_at is None or merged.last_follow_up_at > survivor.last_follow_up_at
    ):
        survivor.last_follow_up_at = merged.last_follow_up_at
        survivor.last_follow_up_summary = merged.last_follow_up_summary
    if merged.next_contact_at and (
        survivor.next_contact_at is None or merged.next_contact_at < survivor.next_contact_at
    ):
        survivor.next_contact_at = merged.next_contact_at
    survivor.locked = survivor.locked or merged.locked


def _move_channels(
    model: type[CustomerPhone] | type[CustomerEmail],
    value_field: str,
    survivor: Customer,
    merged: Customer,
    related: dict[str, Any],
    moved: dict[str, int],
    name: str,
) -> None:
    """Move phone numbers or email addresses, dropping those the survivor already has (same digest)."""
    have = set(model.objects.filter(customer=survivor).values_list("digest", flat=True))
    duplicates = list(model.objects.filter(customer=merged, digest__in=have))
    related[f"{name}_removed"] = _rows_of(duplicates, value_field)
    removed = model.objects.filter(pk__in=[d.pk for d in duplicates]).delete()[0]
    ids = list(model.objects.filter(customer=merged).values_list("pk", flat=True))
    model.objects.filter(pk__in=ids).update(customer=survivor, is_primary=False)
    related[name] = ids
    moved[name] = len(ids)
    moved[f"{name}_deduplicated"] = removed


def _make_primary(
    model: type[CustomerPhone] | type[CustomerEmail] | type[Address], survivor: Customer, pk: Any
) -> None:
    """The row `pk` becomes the survivor's only primary one (nothing changes when it is not the survivor's)."""
    rows = model._default_manager.filter(customer=survivor)
    if pk is not None and rows.filter(pk=pk).exists():
        rows.update(is_primary=Case(When(pk=pk, then=Value(True)), default=Value(False)))


def _sweep(survivor: Customer, merged: Customer, related: dict[str, Any], moved: dict[str, int]) -> None:
    """Move rows of any other model that still point at `merged` (apps without a handler lose nothing)."""
    for rel in Customer._meta.related_objects:
        model = rel.related_model
        if model in _OWN_RELATIONS or not isinstance(model, type):
            continue
        label = model._meta.label_lower
        if rel.many_to_many:
            accessor = rel.get_accessor_name()
            assert accessor is not None
            items = list(getattr(merged, accessor).all())
            if items:
                getattr(survivor, accessor).add(*items)
                getattr(merged, accessor).clear()
                related[label] = sorted(i.pk for i in items)
                moved[label] = moved.get(label, 0) + len(items)
            continue
        field_name = rel.field.name
        manager = model._base_manager
        ids = list(manager.filter(**{field_name: merged}).values_list("pk", flat=True))
        if not ids:
            continue
        if rel.one_to_one and manager.filter(**{field_name: survivor}).exists():
            raise ValidationError(
                _("Both customers have a %(what)s; merge them by hand first.") % {"what": model._meta.verbose_name}
            )
        manager.filter(pk__in=ids).update(**{field_name: survivor})
        related[label] = sorted(related.get(label, []) + ids)
        moved[label] = moved.get(label, 0) + len(ids)


def _audited(customer: Customer) -> dict[str, Any]:
    names = [n for group in FIELD_GROUPS.values() for n in group if not n.endswith("_digest")]
    return snapshot(customer, [*names, "custom", "tags"])


def _move(model: type[models.Model], survivor: Customer, merged: Customer, *, keep_primary: bool) -> list[int]:
    """Move `merged`'s rows of `model` to `survivor`; moved rows stop being primary when the survivor has one."""
    manager = model._default_manager
    ids = list(manager.filter(customer=merged).values_list("pk", flat=True))
    changes: dict[str, Any] = {"customer": survivor}
    if keep_primary and manager.filter(customer=survivor, is_primary=True).exists():
        changes["is_primary"] = False
    manager.filter(pk__in=ids).update(**changes)
    return ids


@transaction.atomic
def customers_merge(*, actor: Any, survivor: Customer, merged: Customer, choices: dict[str, str]) -> MergeRecord:
    """Merge `merged` into `survivor` (both must be in the actor's scope) and delete `merged`.

    `choices` maps a field group of FIELD_GROUPS (or "custom:<key>") to "survivor" or "merged" ("both" for notes);
    a group not given keeps the survivor's value unless it is empty. No phone number, email address or address is
    lost: "phone", "email" and "region" choose which one is the primary.
    """
    if not actor.has_perm("customers.merge"):
        raise PermissionDenied
    if survivor.pk == merged.pk:
        raise ValidationError({"merged": _("Choose two different customers to merge.")})
    survivor, merged = _lock(actor, survivor, merged)
    sides = _clean_choices(choices, survivor, merged)
    # Customers written before phones and emails had rows of their own get them now, so nothing is left behind.
    customer_services.adopt_channels(survivor)
    customer_services.adopt_channels(merged)

    merged_record = _record_of(merged)
    survivor_before = _record_of(survivor)
    audit_before = _audited(survivor)
    merged_owner = merged.owner
    primary_address = Address.objects.filter(customer=merged, is_primary=True).values_list("pk", flat=True).first()
    related: dict[str, Any] = {}
    moved: dict[str, int] = {}

    # Other apps first (interactions, orders, tickets…): they may need the merged customer's rows as they are.
    for handler in merge_handlers:
        for key, count in (handler(survivor, merged, actor) or {}).items():
            moved[key] = moved.get(key, 0) + int(count)

    for key, model, primary in _MOVES:
        related[key] = _move(model, survivor, merged, keep_primary=primary)
        moved[key] = len(related[key])
    _move_channels(CustomerPhone, "number", survivor, merged, related, moved, "phones")
    _move_channels(CustomerEmail, "address", survivor, merged, related, moved, "emails")
    earlier = list(MergeRecord.objects.filter(survivor=merged).values_list("pk", flat=True))
    MergeRecord.objects.filter(pk__in=earlier).update(survivor=survivor)
    related["merges"] = earlier
    new_tags = set(merged.tags.values_list("pk", flat=True)) - set(survivor.tags.values_list("pk", flat=True))
    survivor.tags.add(*new_tags)
    moved["tags_added"] = len(new_tags)
    _sweep(survivor, merged, related, moved)
    merged_record["related"] = related

    # Every number and address either customer showed is a row of the survivor (a customer written by a bulk path
    # may hold its primary number only on itself); the chosen phone, email and address become the primary ones.
    for name, model, field, pairs in (
        (
            "phones",
            CustomerPhone,
            "number",
            [(survivor.phone, survivor.phone_digest), (merged.phone, merged.phone_digest)],
        ),
        (
            "emails",
            CustomerEmail,
            "address",
            [(survivor.email, survivor.email_digest), (merged.email, merged.email_digest)],
        ),
    ):
        have = set(model._default_manager.filter(customer=survivor).values_list("digest", flat=True))
        for value, digest in pairs:
            if value and digest and digest not in have:
                model._default_manager.create(customer=survivor, **{field: value, "digest": digest})
                have.add(digest)
                moved[f"{name}_added"] = moved.get(f"{name}_added", 0) + 1
    phone = merged.phone_digest if sides["phone"] == MERGED else survivor.phone_digest
    if phone:
        row = CustomerPhone.objects.filter(customer=survivor, digest=phone).values_list("pk", flat=True).first()
        _make_primary(CustomerPhone, survivor, row)
    email = merged.email_digest if sides["email"] == MERGED else survivor.email_digest
    if email:
        row = CustomerEmail.objects.filter(customer=survivor, digest=email).values_list("pk", flat=True).first()
        _make_primary(CustomerEmail, survivor, row)
    if sides["region"] == MERGED:
        _make_primary(Address, survivor, primary_address)
    _apply_choices(survivor, merged, sides)

    merged_pk, merged_name = merged.pk, merged.name
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        obj=merged,
        changes=diff(_audited(merged), {}, masked=SENSITIVE),
        detail=f"merged into customer #{survivor.pk}",
    )
    merged.delete()

    customer_services.sync_channels(survivor)
    if Address.objects.filter(customer=survivor).exists():
        customer_services.sync_address(survivor)
    survivor.full_clean()
    survivor.save()
    search_refresh(survivor.pk)  # keys over every number and contact the survivor now has

    record = MergeRecord.objects.create(
        survivor=survivor,
        merged_id=merged_pk,
        merged_snapshot={**merged_record, "choices": sides},
        survivor_before=survivor_before,
        moved=moved,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    OwnershipEvent.objects.create(
        customer=survivor,
        kind=OwnershipEvent.Kind.MERGE,
        from_user=merged_owner,
        to_user=survivor.owner,
        pool=survivor.pool,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        reason=(_("Merged with “%(name)s” (#%(id)s)") % {"name": merged_name, "id": merged_pk})[:255],
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=survivor,
        changes=diff(audit_before, _audited(survivor), masked=SENSITIVE),
        detail=f"merge #{record.pk}: customer #{merged_pk} merged in",
    )
    # The kept customer must still be the actor's to see (an owner taken from a pool customer, say).
    if not scoping.is_in_scope(actor, survivor):
        raise ValidationError({"owner": _("After the merge the customer would be outside your data scope.")})
    return record
