"""Checking import rows: the same normalisation as the customer services, then the duplicate check per batch.

`RowChecker.check(rows)` turns a batch of (row number, cells) into `RowResult`s: cleaned values or field errors, and
what the row duplicates — an existing customer (looked up for the whole batch at once with `__in` on the indexed
digests and the credit code) or an earlier row of the same file. The preview and the commit use the same checker, so
what the preview shows is what the commit does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from guanxi.accounts import scoping
from guanxi.accounts.models import User
from guanxi.customers import services
from guanxi.customers.customfields import validate_custom_values
from guanxi.customers.models import (
    Customer,
    CustomerEmail,
    CustomerPhone,
    CustomFieldDefinition,
    LifecycleStage,
    Source,
)
from guanxi.customers.transfer import columns
from guanxi.customers.validators import normalize_uscc

SKIP = "skip"
UPDATE = "update"
CREATE = "create"
DUPLICATE_MODES = (SKIP, UPDATE, CREATE)

# What happens to a row.
WILL_CREATE = "create"
WILL_UPDATE = "update"
WILL_SKIP = "skip"
WILL_REJECT = "reject"

PROFILE_CHOICE_FIELDS = ("gender", "industry", "company_size", "source", "lifecycle_stage")
TEXT_FIELDS = {"province": 50, "city": 50}


@dataclass
class RowResult:
    number: int
    cells: list[str]
    values: dict[str, Any] = field(default_factory=dict)  # model field → cleaned value (only the cells given)
    custom: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    given: set[str] = field(default_factory=set)  # the fields whose cells are not empty
    owner_id: int | None = None
    owner_given: bool = False
    uscc: str = ""
    phone_digest: str = ""
    email_digest: str = ""
    match_id: int | None = None  # an existing customer with the same key
    match_on: str = ""  # "uscc", "phone" or "email"
    match_in_scope: bool = False
    match_owner: str = ""
    same_as_row: int | None = None  # an earlier row of this file with the same key
    same_on: str = ""
    action: str = ""
    reasons: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class RowChecker:
    """Checks rows for one importing user and one column mapping. Keeps the keys seen so far in the file."""

    def __init__(
        self,
        *,
        actor: User,
        mapping: dict[str, str],
        definitions: Sequence[CustomFieldDefinition],
        mode: str = SKIP,
    ) -> None:
        self.actor = actor
        self.mapping = {int(index): key for index, key in mapping.items()}
        self.definitions = list(definitions)
        self.mode = mode
        self.may_update = actor.has_perm("customers.change")
        self.seen: dict[tuple[str, str], int] = {}
        self.choice_words = {
            key: columns.choice_words(columns.COLUMNS_BY_KEY[key]) for key in ("kind", *PROFILE_CHOICE_FIELDS)
        }
        self._owners: dict[str, list[int]] | None = None
        self._blank = Customer()  # never saved; `_clean` only reads it
        self.custom_keys = {
            key[len(columns.CUSTOM_PREFIX) :] for key in self.mapping.values() if key.startswith(columns.CUSTOM_PREFIX)
        }

    # --- owners -------------------------------------------------------------------------------------------------------
    def _owner_lookup(self) -> dict[str, list[int]]:
        """Username or display name (lower case) → ids of the users the actor may hand customers to."""
        if self._owners is None:
            lookup: dict[str, list[int]] = {}
            for pk, username, display in scoping.assignable_owners(self.actor, "customers").values_list(
                "pk", "username", "display_name"
            ):
                lookup.setdefault(username.lower(), []).append(pk)
                if display and display.lower() != username.lower():
                    lookup.setdefault(display.lower(), []).append(pk)
            self._owners = lookup
        return self._owners

    def _owner(self, raw: str, result: RowResult) -> None:
        if not raw:
            result.owner_id = self.actor.pk
            return
        result.owner_given = True
        found = self._owner_lookup().get(raw.lower(), [])
        if len(found) == 1:
            result.owner_id = found[0]
        elif found:
            result.errors.setdefault("owner", []).append(
                _("Several people are called “%(name)s”; write their username instead.") % {"name": raw}
            )
        else:
            result.errors.setdefault("owner", []).append(
                _(
                    "“%(name)s” is not someone you can assign customers to (write the username or display name of "
                    "someone within your data scope)."
                )
                % {"name": raw}
            )

    # --- one row ------------------------------------------------------------------------------------------------------
    def _cells(self, cells: list[str]) -> dict[str, str]:
        return {key: cells[index] for index, key in self.mapping.items() if index < len(cells)}

    def clean(self, number: int, cells: list[str]) -> RowResult:
        """A row's values, normalised by the customer services' own rules; no database access.

        The credit code's uniqueness and duplicates are checked for the whole batch afterwards (`check`), so the
        services' per-record lookups are left out here: the code is normalised with the same validator instead.
        """
        result = RowResult(number=number, cells=cells)
        raw = self._cells(cells)
        result.given = {key for key, value in raw.items() if value}
        errors = result.errors
        parsed: dict[str, Any] = {}
        for key in ("kind", *PROFILE_CHOICE_FIELDS):
            if raw.get(key):
                value = self.choice_words[key].get(columns.normalize_header(raw[key]))
                if value is None:
                    errors.setdefault(key, []).append(
                        _("Choose person or company.")
                        if key == "kind"
                        else _("“%(value)s” is not one of the choices.") % {"value": raw[key]}
                    )
                else:
                    parsed[key] = value
        if raw.get("birthday"):
            try:
                parsed["birthday"] = columns.parse_date(raw["birthday"])
            except ValueError:
                errors.setdefault("birthday", []).append(
                    _("“%(value)s” is not a date; write it as 2024-03-15.") % {"value": raw["birthday"]}
                )
        if raw.get("uscc"):
            try:
                result.uscc = normalize_uscc(raw["uscc"])
            except ValidationError as exc:
                errors.setdefault("uscc", []).extend(_messages(exc))
        kind = parsed.get("kind") or (Customer.Kind.COMPANY if result.uscc else Customer.Kind.PERSON)
        if result.uscc and kind != Customer.Kind.COMPANY:
            errors.setdefault("uscc", []).append(_("Only a company has a unified social credit code."))
        data = services.CustomerInput(
            name=raw.get("name", ""),
            kind=kind,
            phone=raw.get("phone", ""),
            email=raw.get("email", ""),
            gender=parsed.get("gender", ""),
            birthday=parsed.get("birthday"),
            industry=parsed.get("industry", ""),
            company_size=parsed.get("company_size", ""),
            source=parsed.get("source", ""),
            lifecycle_stage=parsed.get("lifecycle_stage", LifecycleStage.PROSPECT),
            notes=raw.get("notes", ""),
            custom=None,
        )
        try:
            # A blank customer as the base: the services then skip their per-record custom-field query (custom fields
            # are checked below with the definitions loaded once per import).
            cleaned = services._clean(data, customer=self._blank)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                if key not in errors:
                    errors.setdefault(key, []).extend(messages)
            cleaned = {}
        for key, limit in TEXT_FIELDS.items():
            if key in ("province", "city") and raw.get(key):
                if len(raw[key]) > limit:
                    errors.setdefault(key, []).append(
                        _("This text is too long (at most %(limit)d characters).") % {"limit": limit}
                    )
                else:
                    cleaned[key] = raw[key]
        if cleaned:
            cleaned["uscc"] = result.uscc
            result.values = cleaned
            result.phone_digest = services.phone_digest(cleaned["phone"])
            result.email_digest = services.email_digest(cleaned["email"])
        if "owner" in self.mapping.values():
            self._owner(raw.get("owner", ""), result)
        else:
            result.owner_id = self.actor.pk
        custom_raw = {
            key[len(columns.CUSTOM_PREFIX) :]: value
            for key, value in raw.items()
            if key.startswith(columns.CUSTOM_PREFIX) and value != ""
        }
        if custom_raw:
            self._custom(custom_raw, result)
        return result

    def _custom(self, raw: dict[str, str], result: RowResult) -> None:
        definitions = [d for d in self.definitions if d.key in raw]
        try:
            result.custom = validate_custom_values(definitions, raw)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                result.errors.setdefault(columns.CUSTOM_PREFIX + key, []).extend(messages)

    # --- a batch ------------------------------------------------------------------------------------------------------
    def check(self, rows: Iterable[tuple[int, list[str]]]) -> list[RowResult]:
        results = [self.clean(number, cells) for number, cells in rows]
        self._match_existing([r for r in results if r.ok])
        for result in results:
            self._match_file(result)
            self._decide(result)
        return results

    def _match_existing(self, results: list[RowResult]) -> None:
        """One lookup per key kind for the whole batch, on indexed columns, over all customers (the duplicate check
        looks past the actor's scope; it tells only who owns a match outside it)."""
        usccs = {r.uscc for r in results if r.uscc}
        phones = {r.phone_digest for r in results if r.phone_digest}
        emails = {r.email_digest for r in results if r.email_digest}
        if not (usccs or phones or emails):
            return
        by_key: dict[tuple[str, str], int] = {}
        query = Q(pk__in=[])
        if usccs:
            query |= Q(uscc__in=usccs)
        if phones:
            query |= Q(phone_digest__in=phones)
        if emails:
            query |= Q(email_digest__in=emails)
        for pk, uscc, phone_digest, email_digest in Customer.objects.filter(query).values_list(
            "pk", "uscc", "phone_digest", "email_digest"
        ):
            for kind, value in (("uscc", uscc), ("phone", phone_digest), ("email", email_digest)):
                if value:
                    by_key.setdefault((kind, value), pk)
        if phones:
            for customer_id, digest in CustomerPhone.objects.filter(digest__in=phones).values_list(
                "customer_id", "digest"
            ):
                by_key.setdefault(("phone", digest), customer_id)
        if emails:
            for customer_id, digest in CustomerEmail.objects.filter(digest__in=emails).values_list(
                "customer_id", "digest"
            ):
                by_key.setdefault(("email", digest), customer_id)
        for result in results:
            for kind, value in (("uscc", result.uscc), ("phone", result.phone_digest), ("email", result.email_digest)):
                if value and (kind, value) in by_key:
                    result.match_id, result.match_on = by_key[(kind, value)], kind
                    break
        ids = {r.match_id for r in results if r.match_id}
        if not ids:
            return
        in_scope = set(scoping.scope(self.actor, Customer.objects.filter(pk__in=ids)).values_list("pk", flat=True))
        owners = {
            pk: (display or username or "")
            for pk, username, display in Customer.objects.filter(pk__in=ids).values_list(
                "pk", "owner__username", "owner__display_name"
            )
        }
        for result in results:
            if result.match_id:
                result.match_in_scope = result.match_id in in_scope
                result.match_owner = owners.get(result.match_id, "")

    def _match_file(self, result: RowResult) -> None:
        if not result.ok:
            return
        for kind, value in (("uscc", result.uscc), ("phone", result.phone_digest), ("email", result.email_digest)):
            if not value:
                continue
            earlier = self.seen.get((kind, value))
            if earlier is not None and result.same_as_row is None:
                result.same_as_row, result.same_on = earlier, kind
        for kind, value in (("uscc", result.uscc), ("phone", result.phone_digest), ("email", result.email_digest)):
            if value:
                self.seen.setdefault((kind, value), result.number)

    def _decide(self, result: RowResult) -> None:
        """What the commit does with the row, under the chosen duplicate mode, and why (for the preview and report)."""
        result.action, result.reasons = self._action(result)
        if result.action == WILL_CREATE:
            missing = [d.label for d in self.definitions if d.required and d.key not in result.custom]
            if missing:
                result.action = WILL_REJECT
                result.reasons = [_("%(label)s: this field is required.") % {"label": label} for label in missing]

    def _action(self, result: RowResult) -> tuple[str, list[str]]:
        if not result.ok:
            return WILL_REJECT, self.error_lines(result)
        key_label = {"uscc": _("unified social credit code"), "phone": _("phone"), "email": _("email")}
        if result.same_as_row is not None and not (self.mode == CREATE and result.same_on != "uscc"):
            reason = _("Same %(key)s as row %(row)d of this file.") % {
                "key": key_label[result.same_on],
                "row": result.same_as_row,
            }
            return (WILL_REJECT if result.same_on == "uscc" else WILL_SKIP), [reason]
        if result.match_id is None:
            return WILL_CREATE, []
        if result.match_in_scope:
            where = _("customer #%(id)d") % {"id": result.match_id}
        elif result.match_owner:
            where = _("a customer of %(owner)s (outside your data scope)") % {"owner": result.match_owner}
        else:
            where = _("a customer in a public pool")
        duplicate = _("Same %(key)s as %(where)s.") % {"key": key_label[result.match_on], "where": where}
        if self.mode == SKIP:
            return WILL_SKIP, [duplicate]
        if self.mode == CREATE:
            if result.match_on == "uscc":
                return WILL_REJECT, [duplicate, _("The unified social credit code must be unique.")]
            return WILL_CREATE, [duplicate]
        if not result.match_in_scope:
            return WILL_REJECT, [duplicate, _("Only customers within your data scope can be updated.")]
        if not self.may_update:
            return WILL_REJECT, [duplicate, _("You may not edit customers.")]
        return WILL_UPDATE, [duplicate]

    def error_lines(self, result: RowResult) -> list[str]:
        lines = []
        for key, messages in result.errors.items():
            if key.startswith(columns.CUSTOM_PREFIX):
                lines.extend(messages)  # the custom-field rules name the field's label themselves
                continue
            label = columns.field_label(key, self.definitions)
            lines.extend(f"{label}: {message}" for message in messages)
        return lines


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for messages in exc.message_dict.values() for m in messages]
    return list(exc.messages)


def default_source() -> str:
    return str(Source.IMPORT)
