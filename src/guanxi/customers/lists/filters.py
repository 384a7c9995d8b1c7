"""The customer list's filters: one object (`CustomerFilter`) built from a query string by one function
(`filter_from_query`), used by the list page, the API, exports and saved views alike.

Query parameters (repeat a parameter, or separate values with commas, for "any of"):
  q, kind, owner (me | none | user id), pool (pool id), lifecycle_stage, value_tier, source, industry, company_size,
  gender, province, city, tags (tag ids) with tags_mode (any | all), created_from/created_to, updated_from/updated_to,
  followed_up_after/followed_up_before, not_followed_up_days, next_contact (overdue | today | week | none),
  locked, has_phone, has_email (yes | no), sort, and per custom field cf_<key> (text contains, choice / multiple
  choice any of, boolean yes | no), cf_<key>_min / cf_<key>_max (number), cf_<key>_from / cf_<key>_to (date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.customers.models import (
    CompanySize,
    Customer,
    CustomFieldDefinition,
    Gender,
    Industry,
    LifecycleStage,
    Source,
)

# Sorts on columns that are never empty: plain orderings, usable by the API's cursor pagination.
SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
}
# Sorts the list page offers beyond the API's (also never empty).
EXTRA_SORTS: dict[str, tuple[str, ...]] = {}
for _key, _column in (
    ("kind", "kind"),
    ("lifecycle_stage", "lifecycle_stage"),
    ("value_tier", "value_tier"),
    ("source", "source"),
    ("industry", "industry"),
    ("company_size", "company_size"),
    ("gender", "gender"),
    ("province", "province"),
    ("city", "city"),
    ("locked", "locked"),
):
    EXTRA_SORTS[_key] = (_column, "id")
    EXTRA_SORTS[f"-{_key}"] = (f"-{_column}", "-id")
# Sorts on columns that may be empty (empty values always come last); the list page pages them by keyset itself.
NULLABLE_SORTS: dict[str, tuple[str, ...]] = {
    "owner": ("owner_id?", "-created_at", "-id"),
    "-owner": ("-owner_id?", "-created_at", "-id"),
    "last_follow_up": ("last_follow_up_at?", "id"),
    "-last_follow_up": ("-last_follow_up_at?", "-id"),
    "next_contact": ("next_contact_at?", "id"),
    "-next_contact": ("-next_contact_at?", "-id"),
}
LIST_SORTS: dict[str, tuple[str, ...]] = {**SORTS, **EXTRA_SORTS, **NULLABLE_SORTS}
DEFAULT_SORT = "-created"

NEXT_CONTACT = ("overdue", "today", "week", "none")
MULTI = ("lifecycle_stage", "value_tier", "source", "industry", "company_size")
CHOICES: dict[str, Collection[str] | None] = {
    "lifecycle_stage": LifecycleStage.values,
    "value_tier": None,  # free values set by analytics
    "source": Source.values,
    "industry": Industry.values,
    "company_size": CompanySize.values,
}
DATES = (
    "created_from",
    "created_to",
    "updated_from",
    "updated_to",
    "followed_up_after",
    "followed_up_before",
)
YES_NO = ("locked", "has_phone", "has_email")
_TRUE = {"yes", "true", "1", "on"}
_FALSE = {"no", "false", "0", "off"}
# Parameters that are about paging or display, not which customers are shown.
NOT_FILTERS = frozenset({"sort", "size", "after", "before", "page", "cols", "view", "cursor", "limit", "format"})


@dataclass(frozen=True)
class CustomCondition:
    """One condition on a custom field: op is contains, in, any, is, min, max, from or to."""

    key: str
    op: str
    value: Any
    param: str


@dataclass
class CustomerFilter:
    """The filters of the customer list; the htmx page, the API, exports and saved views build the same object."""

    q: str = ""
    kind: str = ""
    owner: str = ""  # a user id, "me" or "none"
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    sort: str = DEFAULT_SORT
    pool: int | None = None
    lifecycle_stage: list[str] = field(default_factory=list)
    value_tier: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    industry: list[str] = field(default_factory=list)
    company_size: list[str] = field(default_factory=list)
    gender: str | None = None  # "" means "not given"
    province: str = ""
    city: str = ""
    tags: list[int] = field(default_factory=list)
    tags_mode: str = "any"
    updated_from: dt.date | None = None
    updated_to: dt.date | None = None
    followed_up_after: dt.date | None = None
    followed_up_before: dt.date | None = None
    not_followed_up_days: int | None = None
    next_contact: str = ""
    locked: bool | None = None
    has_phone: bool | None = None
    has_email: bool | None = None
    custom: list[CustomCondition] = field(default_factory=list)
    # Bad values are left out of the filter and explained here, keyed by parameter (translated messages).
    errors: dict[str, list[str]] = field(default_factory=dict, compare=False)

    def is_empty(self) -> bool:
        """True when nothing narrows the list (sort and the search-free defaults aside)."""
        blank = CustomerFilter()
        return all(
            getattr(self, f.name) == getattr(blank, f.name)
            for f in fields(self)
            if f.name not in ("sort", "errors", "tags_mode")
        )

    def active_count(self) -> int:
        blank = CustomerFilter()
        return sum(
            1
            for f in fields(self)
            if f.name not in ("sort", "errors", "tags_mode", "q", "custom")
            and getattr(self, f.name) != getattr(blank, f.name)
        ) + len({c.key for c in self.custom})

    def custom_value(self, param: str) -> Any:
        for condition in self.custom:
            if condition.param == param:
                return condition.value
        return None


def _values(query: Mapping[str, Any], key: str) -> list[str]:
    """All values of `key`: repeated parameters and comma-separated lists, stripped, empty ones dropped."""
    getlist = getattr(query, "getlist", None)
    raw: Iterable[Any]
    if getlist is not None:
        raw = getlist(key)
    else:
        value = query.get(key)
        raw = value if isinstance(value, list | tuple) else ([] if value is None else [value])
    out: list[str] = []
    for item in raw:
        for part in str(item).split(","):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out


def _one(query: Mapping[str, Any], key: str) -> str:
    values = _values(query, key)
    return values[-1] if values else ""


def _has(query: Mapping[str, Any], key: str) -> bool:
    return key in query


def _date(raw: str) -> dt.date:
    return dt.date.fromisoformat(raw)


def _definitions(definitions: list[CustomFieldDefinition] | None, request: Any) -> list[CustomFieldDefinition]:
    if definitions is not None:
        return definitions
    try:
        from guanxi.customers.customfields import custom_field_definitions
    except ImportError:  # pragma: no cover - the custom fields area is always present once merged
        return list(CustomFieldDefinition.objects.filter(active=True).order_by("order", "key"))
    return custom_field_definitions(request)


def filter_from_query(
    query: Mapping[str, Any],
    *,
    strict: bool = True,
    definitions: list[CustomFieldDefinition] | None = None,
    sorts: Collection[str] = LIST_SORTS,
    request: Any = None,
) -> CustomerFilter:
    """The CustomerFilter a query string (a QueryDict or a plain dict) asks for.

    With `strict` (the API, exports, saved views) a bad value raises ValidationError keyed by parameter; without it (the
    list page) the bad value is left out and its message kept in `errors`, to be shown beside the field.
    Custom field parameters need the definitions (one query, or pass them; with `request` they are cached on it).
    """
    f = CustomerFilter()
    errors: dict[str, list[str]] = {}

    def bad(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    raw_q = query.get("q", "")
    f.q = (raw_q if isinstance(raw_q, str) else str(raw_q or "")).strip()[:200]
    kind = _one(query, "kind")
    if kind:
        if kind in Customer.Kind.values:
            f.kind = kind
        else:
            bad("kind", _("Choose person or company."))
    owner = _one(query, "owner")
    if owner:
        if owner in ("me", "none") or owner.isdigit():
            f.owner = owner
        else:
            bad("owner", _("Choose “me”, “none” or a user."))
    pool = _one(query, "pool")
    if pool:
        if pool.isdigit():
            f.pool = int(pool)
        else:
            bad("pool", _("Choose a public pool."))
    for key in MULTI:
        allowed = CHOICES[key]
        chosen = _values(query, key)
        wrong = [v for v in chosen if allowed is not None and v not in allowed]
        if wrong:
            bad(key, _("“%(value)s” is not one of the choices.") % {"value": ", ".join(wrong)})
        setattr(f, key, [v for v in chosen if allowed is None or v in allowed])
    if _has(query, "gender") and _one(query, "gender") != "":
        gender = _one(query, "gender")
        if gender == "unknown":
            f.gender = ""
        elif gender in Gender.values:
            f.gender = gender
        else:
            bad("gender", _("“%(value)s” is not one of the choices.") % {"value": gender})
    f.province = _one(query, "province")[:50]
    f.city = _one(query, "city")[:50]
    tag_values = _values(query, "tags")
    if any(not v.isdigit() for v in tag_values):
        bad("tags", _("Choose tags from the list."))
    f.tags = [int(v) for v in tag_values if v.isdigit()]
    mode = _one(query, "tags_mode")
    if mode and mode not in ("any", "all"):
        bad("tags_mode", _("Choose “any of” or “all of”."))
    f.tags_mode = mode if mode in ("any", "all") else "any"
    for key in DATES:
        raw = _one(query, key)
        if raw:
            try:
                setattr(f, key, _date(raw))
            except ValueError:
                bad(key, _("Enter a date as YYYY-MM-DD, e.g. 2025-03-31."))
    days = _one(query, "not_followed_up_days")
    if days:
        if days.isdigit() and 0 < int(days) <= 3650:
            f.not_followed_up_days = int(days)
        else:
            bad("not_followed_up_days", _("Enter a number of days between 1 and 3650."))
    next_contact = _one(query, "next_contact")
    if next_contact:
        if next_contact in NEXT_CONTACT:
            f.next_contact = next_contact
        else:
            bad("next_contact", _("Choose overdue, today, this week or none planned."))
    for key in YES_NO:
        raw = _one(query, key).lower()
        if raw in _TRUE:
            setattr(f, key, True)
        elif raw in _FALSE:
            setattr(f, key, False)
        elif raw:
            bad(key, _("Choose yes or no."))
    sort = _one(query, "sort")
    if sort:
        if sort in sorts:
            f.sort = sort
        else:
            bad("sort", _("This list cannot be sorted by “%(value)s”.") % {"value": sort})
    if any(str(k).startswith("cf_") for k in query):
        _custom_conditions(f, query, _definitions(definitions, request), bad)
    for key in ("created", "updated"):
        start, end = getattr(f, f"{key}_from"), getattr(f, f"{key}_to")
        if start and end and start > end:
            bad(f"{key}_to", _("The end date is before the start date."))
    if errors and strict:
        raise ValidationError(errors)
    f.errors = errors
    return f


def _custom_conditions(f: CustomerFilter, query: Mapping[str, Any], definitions: list[Any], bad: Any) -> None:
    from guanxi.customers.customfields import clean_custom_value

    Type = CustomFieldDefinition.Type
    known: set[str] = set()
    for definition in definitions:
        key = definition.key
        base = f"cf_{key}"
        if definition.type == Type.NUMBER:
            params = [(f"{base}_min", "min"), (f"{base}_max", "max")]
        elif definition.type == Type.DATE:
            params = [(f"{base}_from", "from"), (f"{base}_to", "to")]
        else:
            params = [(base, "")]
        for param, op in params:
            known.add(param)
            values = _values(query, param)
            if not values:
                continue
            try:
                if definition.type == Type.TEXT:
                    f.custom.append(CustomCondition(key, "contains", _one(query, param)[:200], param))
                elif definition.type == Type.BOOLEAN:
                    f.custom.append(CustomCondition(key, "is", clean_custom_value(definition, values[-1]), param))
                elif definition.type in (Type.CHOICE, Type.MULTI_CHOICE):
                    chosen = (
                        [clean_custom_value(definition, v) for v in values]
                        if definition.type == Type.CHOICE
                        else (clean_custom_value(definition, values))
                    )
                    f.custom.append(
                        CustomCondition(key, "in" if definition.type == Type.CHOICE else "any", chosen, param)
                    )
                else:
                    f.custom.append(CustomCondition(key, op, clean_custom_value(definition, values[-1]), param))
            except ValidationError as exc:
                bad(param, " ".join(exc.messages))
    for param in query:
        if str(param).startswith("cf_") and param not in known:
            bad(str(param), _("There is no custom field “%(key)s”.") % {"key": str(param)[3:]})


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in the reader's time zone (a range on the indexed column, not a cast per row)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def _range(field_name: str, start: dt.date | None, end: dt.date | None) -> Q:
    condition = Q()
    if start:
        condition &= Q(**{f"{field_name}__gte": _day_start(start)})
    if end:
        condition &= Q(**{f"{field_name}__lt": _day_start(end + dt.timedelta(days=1))})
    return condition


def apply_filter(qs: QuerySet[Customer], f: CustomerFilter, *, actor: Any) -> QuerySet[Customer]:
    """`qs` narrowed by every filter of `f` except the search text and the sort."""
    condition = Q()
    if f.kind:
        condition &= Q(kind=f.kind)
    if f.owner == "me":
        condition &= Q(owner_id=actor.pk)
    elif f.owner == "none":
        condition &= Q(owner__isnull=True)
    elif f.owner.isdigit():
        condition &= Q(owner_id=int(f.owner))
    if f.pool is not None:
        condition &= Q(pool_id=f.pool)
    for key in MULTI:
        chosen = getattr(f, key)
        if len(chosen) == 1:
            condition &= Q(**{key: chosen[0]})
        elif chosen:
            condition &= Q(**{f"{key}__in": chosen})
    if f.gender is not None:
        condition &= Q(gender=f.gender)
    if f.province:
        condition &= Q(province=f.province)
    if f.city:
        condition &= Q(city=f.city)
    condition &= _range("created_at", f.created_from, f.created_to)
    condition &= _range("updated_at", f.updated_from, f.updated_to)
    condition &= _range("last_follow_up_at", f.followed_up_after, f.followed_up_before)
    now = timezone.now()
    if f.not_followed_up_days:
        cutoff = now - dt.timedelta(days=f.not_followed_up_days)
        condition &= Q(last_follow_up_at__lt=cutoff) | Q(last_follow_up_at__isnull=True)
    if f.next_contact:
        today = _day_start(timezone.localdate())
        if f.next_contact == "overdue":
            condition &= Q(next_contact_at__lt=now)
        elif f.next_contact == "today":
            condition &= Q(next_contact_at__gte=today, next_contact_at__lt=today + dt.timedelta(days=1))
        elif f.next_contact == "week":
            week_end = today + dt.timedelta(days=7 - today.weekday())
            condition &= Q(next_contact_at__gte=today, next_contact_at__lt=week_end)
        elif f.next_contact == "none":
            condition &= Q(next_contact_at__isnull=True)
    if f.locked is not None:
        condition &= Q(locked=f.locked)
    if f.has_phone is not None:
        condition &= ~Q(phone_digest="") if f.has_phone else Q(phone_digest="")
    if f.has_email is not None:
        condition &= ~Q(email_digest="") if f.has_email else Q(email_digest="")
    for custom in f.custom:
        condition &= _custom_q(custom)
    qs = qs.filter(condition) if condition else qs
    if f.tags:
        through = Customer.tags.through.objects
        if f.tags_mode == "all":
            for tag_id in f.tags:
                qs = qs.filter(Exists(through.filter(customer_id=OuterRef("pk"), tag_id=tag_id)))
        else:
            qs = qs.filter(Exists(through.filter(customer_id=OuterRef("pk"), tag_id__in=f.tags)))
    return qs


def _custom_q(c: CustomCondition) -> Q:
    path = f"custom__{c.key}"
    if c.op == "contains":
        return Q(**{f"{path}__icontains": c.value})
    if c.op == "is":
        return Q(**{path: c.value})
    if c.op == "in":
        return Q(**{f"{path}__in": list(c.value)})
    if c.op == "any":  # multiple choice stored as a JSON list: match the quoted value inside it
        any_of = Q()
        for value in c.value:
            any_of |= Q(**{f"{path}__icontains": f'"{value}"'})
        return any_of
    lookup = {"min": "gte", "max": "lte", "from": "gte", "to": "lte"}[c.op]
    return Q(**{f"{path}__{lookup}": c.value})


def filter_to_params(f: CustomerFilter) -> list[tuple[str, str]]:
    """The query parameters that rebuild `f` (for saved views, export links and bookmarks)."""
    out: list[tuple[str, str]] = []
    blank = CustomerFilter()
    for fld in fields(f):
        name = fld.name
        value = getattr(f, name)
        if name in ("errors", "custom") or value == getattr(blank, name):
            continue
        if name == "gender":
            out.append(("gender", value or "unknown"))
        elif isinstance(value, list):
            out.extend((name, str(v)) for v in value)
        elif isinstance(value, bool):
            out.append((name, "yes" if value else "no"))
        elif isinstance(value, dt.date):
            out.append((name, value.isoformat()))
        else:
            out.append((name, str(value)))
    for c in f.custom:
        if isinstance(c.value, list):
            out.extend((c.param, str(v)) for v in c.value)
        elif isinstance(c.value, bool):
            out.append((c.param, "yes" if c.value else "no"))
        else:
            out.append((c.param, str(c.value)))
    return out
