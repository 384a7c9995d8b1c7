"""The duplicate check (查重): which existing customers a new or edited one may be, and why.

It looks at ALL customers on purpose — the public pool and other people's customers too — so that two reps never chase
one customer (撞单). What it tells about a match depends on the actor's scope: inside it, the customer's name and a
link; outside it, only who owns the match (or which pool it is in), never its name, phone, email or id.

Every check is one indexed lookup; all of them go to the database as ONE `UNION ALL` query, followed by one query for
the matched rows and one for which of them are in scope — three queries whatever the size of the table:

| check | column(s) | index |
|---|---|---|
| same 统一社会信用代码 | customer.uscc | customer_uscc_idx (and the partial unique index) |
| same phone | customer.phone_digest, customerphone.digest, contact.phone_digest | their db_index b-trees |
| same email | customer.email_digest, customeremail.digest, contact.email_digest | their db_index b-trees |
| same ID number | customer.id_number_digest | its db_index b-tree |
| same company name (normalised) | customer.name_key = … | customer_name_key_idx |
| same person name in the same city | customer.name_key = … (city filtered on the few hits) | customer_name_key_idx |
| pinyin match (homophones: 张三 / 章三) | customer.name_pinyin = … | customer_pinyin_idx |
| similar name in the same city | customer.name_key in [prefix, prefix+U+10FFFF), ≤ 50 rows | customer_name_key_idx |

"Similar" is an n-gram similarity (like pg_trgm's) computed in Python on those few rows.

The name lookups stop after `NAME_CANDIDATES` rows, so a very common name cannot make the check slow.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import CharField, Q, QuerySet, Value
from django.http import Http404
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.accounts import scoping
from guanxi.accounts.models import DataScope
from guanxi.core import crypto
from guanxi.customers.dedupe import keys
from guanxi.customers.dedupe.fields import FIELD_GROUPS, FIELD_LABELS, SENSITIVE, default_sides
from guanxi.customers.models import (
    Address,
    Consent,
    Contact,
    Customer,
    CustomerEmail,
    CustomerPhone,
    CustomFieldDefinition,
    MergeRecord,
)
from guanxi.customers.profile.masking import mask
from guanxi.customers.search.keys import customer_keys

NAME_CANDIDATES = 50  # rows fetched per name lookup at most
SIMILARITY = 0.5  # n-gram similarity from which two names in one city count as similar

# reason code → (strength 0–100, what the user reads, the input field it concerns)
REASONS: dict[str, tuple[int, Promise, str]] = {
    "uscc": (100, gettext_lazy("same unified social credit code"), "uscc"),
    "id_number": (95, gettext_lazy("same ID number"), "id_number"),
    "phone": (90, gettext_lazy("same phone number"), "phone"),
    "email": (85, gettext_lazy("same email address"), "email"),
    "contact_phone": (80, gettext_lazy("one of its contacts has this phone number"), "phone"),
    "contact_email": (75, gettext_lazy("one of its contacts has this email address"), "email"),
    "company_name": (70, gettext_lazy("same company name"), "name"),
    "same_name_city": (60, gettext_lazy("same name in the same city"), "name"),
    "pinyin": (45, gettext_lazy("name sounds the same (same pinyin)"), "name"),
    "similar_name_city": (40, gettext_lazy("similar name in the same city"), "name"),
}
_NAME_REASONS = ("company_name", "same_name_city")
# The highest code point: every string that starts with `prefix` sorts between `prefix` and `prefix + _TOP`.
_TOP = "\U0010ffff"


@dataclass(frozen=True)
class DuplicateCandidate:
    """What the user has typed so far (or what an import row / API call holds)."""

    name: str = ""
    kind: str = Customer.Kind.PERSON
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    uscc: str = ""
    city: str = ""
    province: str = ""
    id_number: str = ""

    @classmethod
    def build(
        cls,
        *,
        name: str = "",
        kind: str = "",
        phones: Iterable[str] = (),
        emails: Iterable[str] = (),
        uscc: str = "",
        city: str = "",
        province: str = "",
        id_number: str = "",
    ) -> DuplicateCandidate:
        """A candidate from loose input (blank values dropped, unknown kinds read as person)."""
        return cls(
            name=(name or "").strip(),
            kind=kind if kind in Customer.Kind.values else Customer.Kind.PERSON,
            phones=tuple(p.strip() for p in phones if p and p.strip()),
            emails=tuple(e.strip() for e in emails if e and e.strip()),
            uscc=(uscc or "").strip(),
            city=(city or "").strip(),
            province=(province or "").strip(),
            id_number=(id_number or "").strip(),
        )


@dataclass(frozen=True)
class DuplicateMatch:
    """One existing customer the candidate may be. Outside the actor's scope `customer_id`, `name` and `url` are
    empty: the match is told only by its owner's name or its pool."""

    reasons: tuple[str, ...]
    strength: int
    in_scope: bool
    customer_id: int | None = None
    name: str = ""
    url: str = ""
    owner_name: str = ""
    pool_name: str = ""
    fields: tuple[str, ...] = field(default=())

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASONS[code][1]) for code in self.reasons]

    @property
    def holder(self) -> str:
        """Who holds the match: "owned by Wang Fang", "in the public pool East China" or "not assigned"."""
        if self.owner_name:
            return _("owned by %(owner)s") % {"owner": self.owner_name}
        if self.pool_name:
            return _("in the public pool %(pool)s") % {"pool": self.pool_name}
        return _("not assigned to anyone")

    @property
    def summary(self) -> str:
        """One line for messages: "“Li Lei” (owned by Wang Fang): same phone number" — no name outside the scope."""
        reasons = ", ".join(self.reason_labels)
        if self.in_scope:
            return _("“%(name)s” (%(holder)s): %(reasons)s") % {
                "name": self.name,
                "holder": self.holder,
                "reasons": reasons,
            }
        return _("a customer %(holder)s: %(reasons)s") % {"holder": self.holder, "reasons": reasons}


def _tagged(qs: QuerySet[Any], id_field: str, reason: str) -> QuerySet[Any]:
    return qs.annotate(dup_reason=Value(reason, output_field=CharField())).values_list(id_field, "dup_reason")


def _first(qs: QuerySet[Customer], order: str) -> QuerySet[Customer]:
    """The first NAME_CANDIDATES rows of `qs` in index order, as `id IN (… LIMIT n)`: SQLite allows no LIMIT in a
    branch of a UNION, but does in a subquery."""
    return Customer.objects.order_by().filter(pk__in=qs.order_by(order).values("pk")[:NAME_CANDIDATES])


def _branches(candidate: DuplicateCandidate) -> list[QuerySet[Any]]:
    """One indexed lookup per check, each giving (customer id, reason) rows."""
    out: list[QuerySet[Any]] = []
    customers = Customer.objects.order_by()
    uscc = keys.normalize_uscc(candidate.uscc)
    if uscc:
        out.append(_tagged(customers.filter(uscc=uscc), "id", "uscc"))
    if candidate.id_number:
        id_digest = keys.id_number_digest(candidate.id_number)
        out.append(_tagged(customers.filter(id_number_digest=id_digest), "id", "id_number"))
    phones = sorted({d for d in (keys.phone_digest(p) for p in candidate.phones) if d})
    if phones:
        out.append(_tagged(customers.filter(phone_digest__in=phones), "id", "phone"))
        out.append(_tagged(CustomerPhone.objects.order_by().filter(digest__in=phones), "customer_id", "phone"))
        out.append(_tagged(Contact.objects.order_by().filter(phone_digest__in=phones), "customer_id", "contact_phone"))
    emails = sorted({d for d in (keys.email_digest(e) for e in candidate.emails) if d})
    if emails:
        out.append(_tagged(customers.filter(email_digest__in=emails), "id", "email"))
        out.append(_tagged(CustomerEmail.objects.order_by().filter(digest__in=emails), "customer_id", "email"))
        out.append(_tagged(Contact.objects.order_by().filter(email_digest__in=emails), "customer_id", "contact_email"))
    if candidate.name:
        name_keys = customer_keys(kind=candidate.kind, name=candidate.name)
        key, pinyin = name_keys["name_key"], name_keys["name_pinyin"]
        same_kind = customers.filter(kind=candidate.kind)
        if key and candidate.kind == Customer.Kind.COMPANY:
            exact = _first(same_kind.filter(name_key=key), "name_key")
            out.append(_tagged(exact, "id", "company_name"))
        elif key and candidate.city:
            exact = _first(same_kind.filter(name_key=key, city=candidate.city), "name_key")
            out.append(_tagged(exact, "id", "same_name_city"))
        if pinyin and (candidate.kind == Customer.Kind.COMPANY or candidate.city):
            sounds = same_kind.filter(name_pinyin=pinyin)
            if candidate.kind == Customer.Kind.PERSON:
                sounds = sounds.filter(city=candidate.city)
            out.append(_tagged(_first(sounds, "name_pinyin"), "id", "pinyin"))
        prefix = keys.name_prefix(key)
        if prefix and candidate.city:
            near = customers.filter(name_key__gte=prefix, name_key__lt=prefix + _TOP, city=candidate.city)
            out.append(_tagged(_first(near, "name_key"), "id", "similar_name_city"))
    return out


def match_query(candidate: DuplicateCandidate) -> QuerySet[Any] | None:
    """All checks as one UNION ALL query of (customer id, reason) rows; None when there is nothing to check."""
    branches = _branches(candidate)
    if not branches:
        return None
    first, *rest = branches
    return first.union(*rest, all=True) if rest else first


def find_duplicates(
    *, actor: Any, candidate: DuplicateCandidate, exclude_id: int | None = None, limit: int = 10
) -> list[DuplicateMatch]:
    """The existing customers `candidate` may be, strongest first (at most `limit`). Three queries in all."""
    query = match_query(candidate)
    if query is None:
        return []
    found: dict[int, set[str]] = {}
    for customer_id, reason in query:
        if customer_id != exclude_id:
            found.setdefault(customer_id, set()).add(reason)
    if not found:
        return []
    rows = {c.pk: c for c in Customer.objects.filter(pk__in=found).select_related("owner", "pool").order_by()}
    key = customer_keys(kind=candidate.kind, name=candidate.name)["name_key"] if candidate.name else ""
    scored: list[tuple[int, int, Customer, tuple[str, ...]]] = []
    for customer_id, reasons in found.items():
        customer = rows.get(customer_id)
        if customer is None:  # deleted between the two queries
            continue
        if "similar_name_city" in reasons and keys.name_similarity(key, customer.name_key) < SIMILARITY:
            reasons.discard("similar_name_city")
        if reasons & set(_NAME_REASONS):  # the same name needs no "sounds the same" or "similar"
            reasons -= {"pinyin", "similar_name_city"}
        if not reasons:
            continue
        ordered = tuple(sorted(reasons, key=lambda code: -REASONS[code][0]))
        scored.append((REASONS[ordered[0]][0], len(ordered), customer, ordered))
    scored.sort(key=lambda item: (-item[0], -item[1], item[2].pk))
    scored = scored[:limit]
    if not scored:
        return []
    ids = [c.pk for _s, _n, c, _r in scored]
    visible = set(scoping.scope(actor, Customer.objects.filter(pk__in=ids).order_by()).values_list("pk", flat=True))
    matches = []
    for strength, _n, customer, codes in scored:
        inside = customer.pk in visible
        matches.append(
            DuplicateMatch(
                reasons=codes,
                strength=strength,
                in_scope=inside,
                customer_id=customer.pk if inside else None,
                name=customer.name if inside else "",
                url=reverse("customers:detail", args=[customer.pk]) if inside else "",
                owner_name=str(customer.owner) if customer.owner is not None else "",
                pool_name=customer.pool.name if customer.owner is None and customer.pool is not None else "",
                fields=tuple(dict.fromkeys(REASONS[code][2] for code in codes)),
            )
        )
    return matches


def duplicate_message(match: DuplicateMatch) -> str:
    """Possible duplicate: a customer owned by Wang Fang: same phone number" (safe to show to the actor)."""
    return _("Possible duplicate: %(match)s") % {"match": match.summary}


# --- the merge screen and the merge record ----------------------------------------------------------------------------
def _shown(customer: Customer, key: str) -> str:
    """A field group's value as the merge screen shows it (personal data masked)."""
    if key in SENSITIVE:
        return mask(key, str(getattr(customer, key) or ""))
    if key == "owner":
        if customer.owner is not None:
            return str(customer.owner)
        return _("Public pool %(pool)s") % {"pool": customer.pool.name} if customer.pool else ""
    if key == "lunar_birthday":
        if not customer.lunar_birth_month or not customer.lunar_birth_day:
            return ""
        leap = _(" (leap month)") if customer.lunar_birth_leap else ""
        return f"{customer.lunar_birth_month}/{customer.lunar_birth_day}{leap}"
    if key == "region":
        return " ".join(p for p in (customer.province, customer.city) if p)
    if key == "birthday":
        return customer.birthday.isoformat() if customer.birthday else ""
    display = getattr(customer, f"get_{key}_display", None)
    return str(display() if display else getattr(customer, key) or "")


def _custom_shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return "" if value is None else str(value)


def merge_comparison(*, survivor: Customer, merged: Customer) -> dict[str, Any]:
    """Both customers side by side: one row per field group and custom field, with the side kept by default, and
    what moves (counts per kind of row). The caller fetched both through the actor's scope."""
    defaults = default_sides(survivor, merged)
    rows: list[dict[str, Any]] = []
    for key in FIELD_GROUPS:
        left, right = _shown(survivor, key), _shown(merged, key)
        if key in SENSITIVE:
            differs = getattr(survivor, f"{key}_digest") != getattr(merged, f"{key}_digest")
        else:
            differs = left != right
        rows.append(
            {
                "key": key,
                "field": f"choice_{key}",
                "label": FIELD_LABELS[key],
                "survivor": left,
                "merged": right,
                "differs": differs,
                "default": defaults[key],
            }
        )
    labels = dict(CustomFieldDefinition.objects.values_list("key", "label"))
    left_custom, right_custom = survivor.custom or {}, merged.custom or {}
    for ckey in sorted(set(left_custom) | set(right_custom)):
        left, right = _custom_shown(left_custom.get(ckey)), _custom_shown(right_custom.get(ckey))
        rows.append(
            {
                "key": f"custom:{ckey}",
                "field": f"choice_custom_{ckey}",
                "label": labels.get(ckey, ckey),
                "survivor": left,
                "merged": right,
                "differs": left != right,
                "default": defaults[f"custom:{ckey}"],
            }
        )
    counts = {}
    for label, model in (
        (_("Contacts"), Contact),
        (_("Phone numbers"), CustomerPhone),
        (_("Email addresses"), CustomerEmail),
        (_("Addresses"), Address),
        (_("Consent records"), Consent),
    ):
        counts[str(label)] = model._default_manager.filter(customer=merged).count()
    tags = {
        "survivor": list(survivor.tags.values_list("name", flat=True)),
        "merged": list(merged.tags.values_list("name", flat=True)),
    }
    return {"rows": rows, "counts": counts, "tags": tags}


def _merge_records(actor: Any) -> QuerySet[MergeRecord]:
    """Merge records whose kept customer is in the actor's scope (records of a since-deleted customer: scope "all")."""
    in_scope = scoping.scope(actor, Customer.objects.order_by()).values("pk")
    predicate = Q(survivor__in=in_scope)
    if scoping.user_scope(actor, "customers") == DataScope.ALL:
        predicate |= Q(survivor__isnull=True)
    return MergeRecord.objects.filter(predicate).select_related("survivor", "actor")


def merge_record_get(*, actor: Any, pk: Any) -> MergeRecord:
    try:
        return _merge_records(actor).get(pk=pk)
    except (MergeRecord.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def merge_records_for(*, actor: Any, customer: Customer, limit: int = 10) -> list[MergeRecord]:
    """The merges into `customer`, newest first (for its 360 page)."""
    return list(_merge_records(actor).filter(survivor=customer).order_by("-at", "-id")[:limit])


def _snapshot_rows(values: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) for a stored customer snapshot: personal data decrypted only to be masked."""
    rows = []
    for column, value in values.items():
        if column in ("related", "choices") or column.endswith("_digest"):
            continue
        name = column[:-3] if column.endswith("_id") and column != "id" else column
        try:
            label = str(getattr(Customer._meta.get_field(name), "verbose_name", column))
        except FieldDoesNotExist:
            label = column
        if name in SENSITIVE:
            try:
                value = mask(name, crypto.decrypt(str(value or "")))
            except ValueError:
                value = "***"
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        rows.append((label, "" if value is None else str(value)))
    return rows


def merge_record_view(record: MergeRecord) -> dict[str, Any]:
    """What the merge record page shows (the record was fetched through the actor's scope)."""
    snapshot = record.merged_snapshot or {}
    related = snapshot.get("related", {})
    return {
        "record": record,
        "merged_rows": _snapshot_rows(snapshot),
        "survivor_rows": _snapshot_rows(record.survivor_before or {}),
        "moved": sorted((record.moved or {}).items()),
        "related": sorted(
            (key, ", ".join(str(i.get("id", "")) if isinstance(i, dict) else str(i) for i in ids))
            for key, ids in related.items()
            if ids
        ),
        "choices": sorted((snapshot.get("choices") or {}).items()),
    }
