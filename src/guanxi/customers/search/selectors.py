"""Finding customers and contacts by what a user types: name or part of it, company, pinyin and initials of Chinese
names, phone in any format or any 4+ digits of it, and email (exact).

One predicate over the customers table, built from `keys.parse_query`, ORs these, each backed by an index:

- the full-text index over `search_text` (every token of the query, letters as prefixes): on PostgreSQL the GIN index
  on the stored column search_tsv = to_tsvector('simple', search_text), on SQLite the FTS5 table
  `customer_search_fts` (both made by migration 0003);
- for 3+ characters, the name containing the query (PostgreSQL: trigram GIN on name) and the pinyin starting with it
  (trigram GIN on name_pinyin); initials equal to it (b-tree);
- exact digests: the customer's phone/email and those of its other numbers, addresses and contacts.

Phone digests only say "these 4-digit runs occur"; candidates for 5+ digits are verified against the numbers
themselves before they are shown. Every read starts from `scoping.scope`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet, Value

from guanxi.accounts import scoping
from guanxi.core import crypto
from guanxi.customers.models import Contact, Customer, CustomerEmail, CustomerPhone
from guanxi.customers.search import keys
from guanxi.customers.search.keys import Atom, SearchQuery, parse_query

FTS_TABLE = "customer_search_fts"
VERIFY_CAP = 1000  # candidates checked against the clear numbers when a list is filtered by 5+ digits
DIGEST_CAP = 1000  # customers found through the digest of another number/address or a contact's
CONTACT_CUSTOMERS = 200  # matching customers whose contacts the contact search looks at


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class _Infix(Func):
    """`<left> <operator> <right>` as a boolean condition, with columns qualified by whatever alias the query gives
    the table (a subquery's U0 included)."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, left: Any, right: Any, *, template: str, joiner: str) -> None:
        super().__init__(left, right, template=template)
        self.arg_joiner = joiner


class _StoredTokens(_Infix):
    """`<customers alias>."search_tsv" @@ to_tsquery(...)`: the generated tsvector column of migration 0003, which
    the model does not declare; its table alias is taken from the compiled id column."""

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, *args: Any, **extra: Any
    ) -> tuple[str, list[Any]]:
        id_sql, _params = compiler.compile(self.source_expressions[0])
        query_sql, query_params = compiler.compile(self.source_expressions[1])
        column = id_sql[: -len('"id"')] + '"search_tsv"'
        return f"({column} @@ to_tsquery('simple'::regconfig, {query_sql}))", list(query_params)


def fts_expression(atoms: Iterable[Atom]) -> Func:
    """A condition on customers: the search text holds every atom (through the vendor's full-text index)."""
    atoms = list(atoms)
    if connection.vendor == "postgresql":
        query = " & ".join("'{}'{}".format(a.token.replace("'", "''"), ":*" if a.prefix else "") for a in atoms)
        return _StoredTokens(F("id"), Value(query), template="", joiner="")
    match = " AND ".join('"{}"{}'.format(a.token.replace('"', '""'), "*" if a.prefix else "") for a in atoms)
    return _Infix(
        F("id"),
        Value(match),
        template="(%(expressions)s))",
        joiner=" IN (SELECT rowid FROM customer_search_fts WHERE customer_search_fts MATCH ",
    )


def _name_contains(text: str) -> Q:
    """Names containing `text`, case-insensitively (PostgreSQL: ILIKE, which the trigram index serves)."""
    if connection.vendor == "postgresql":
        pattern = "%" + _escape_like(text) + "%"
        return Q(_Infix(F("name"), Value(pattern), template="(%(expressions)s)", joiner=" ILIKE "))
    return Q(name__icontains=text)


def _email_digest(query: SearchQuery) -> str:
    from guanxi.customers.services import normalize_email

    with contextlib.suppress(ValidationError):
        return crypto.digest(normalize_email(query.email).lower())
    return ""


def _phone_digest(query: SearchQuery) -> str:
    from guanxi.customers.services import normalize_phone

    with contextlib.suppress(ValidationError):
        return crypto.digest(normalize_phone(query.phone))
    return ""


def _ids(qs: QuerySet[Any], field: str) -> list[int]:
    return list(qs.values_list(field, flat=True)[:DIGEST_CAP])


def search_predicate(q: str | SearchQuery) -> Q:
    """The Q that keeps the customers matching `q` (before phone verification: see `apply_search`)."""
    query = q if isinstance(q, SearchQuery) else parse_query(q)
    if query.mode == "email":
        digest = _email_digest(query)
        if not digest:
            query = parse_query(query.text.replace("@", " "))
        else:
            others = _ids(CustomerEmail.objects.filter(digest=digest), "customer_id")
            others += _ids(Contact.objects.filter(email_digest=digest), "customer_id")
            return Q(email_digest=digest) | Q(pk__in=sorted(set(others)))
    if not query.mode:
        return Q(pk__in=[])
    predicate = Q(fts_expression(query.atoms))
    if query.substring:
        predicate |= _name_contains(query.substring)
    word = query.latin_word
    if word:
        predicate |= Q(name_initials=word)
        if len(word) >= 3:
            predicate |= Q(name_pinyin__startswith=word)
    if query.mode == "phone":
        digest = _phone_digest(query)
        if digest:
            others = _ids(CustomerPhone.objects.filter(digest=digest), "customer_id")
            others += _ids(Contact.objects.filter(phone_digest=digest), "customer_id")
            predicate |= Q(phone_digest=digest)
            if others:
                predicate |= Q(pk__in=sorted(set(others)))
    return predicate


# --- verification of phone fragments ---------------------------------------------------------------------------------
def _numbers_of(customer_ids: list[int]) -> dict[int, list[str]]:
    """Every clear phone number of these customers and of their contacts, as national digits."""
    numbers: dict[int, list[str]] = {pk: [] for pk in customer_ids}
    rows: list[tuple[int, str]] = list(Customer.objects.filter(pk__in=customer_ids).values_list("pk", "phone"))
    rows += CustomerPhone.objects.filter(customer_id__in=customer_ids).values_list("customer_id", "number")
    rows += Contact.objects.filter(customer_id__in=customer_ids).exclude(phone="").values_list("customer_id", "phone")
    for pk, number in rows:
        if number:
            numbers[pk].append(keys.national_digits(number))
    return numbers


def _digits_found(runs: Iterable[str], numbers: Iterable[str]) -> bool:
    numbers = list(numbers)
    return all(any(run in number for number in numbers) for run in runs)


def _verified(query: SearchQuery, customers: list[Any]) -> list[Any]:
    """The candidates whose numbers really contain the digits (or whose name contains the query, or that matched a
    whole-number or email digest)."""
    if not query.verify or not customers:
        return customers
    numbers = _numbers_of([c.pk for c in customers])
    phone_digest = _phone_digest(query) if query.mode == "phone" else ""
    needle = query.substring.casefold()
    return [
        c
        for c in customers
        if _digits_found(query.verify, numbers[c.pk])
        or (needle and needle in c.name.casefold())
        or (phone_digest and c.phone_digest == phone_digest)
    ]


# --- public selectors -----------------------------------------------------------------------------------------------
def apply_search(queryset: QuerySet[Customer], q: str) -> QuerySet[Customer]:
    """`queryset` narrowed to the customers matching `q` (the list filter and the global search both use this).

    When the query has 5+ digits the candidates (at most VERIFY_CAP) are checked against the clear numbers first.
    """
    query = parse_query(q)
    if not query.mode:
        return queryset if not (q or "").strip() else queryset.none()
    narrowed = queryset.filter(search_predicate(query))
    if not query.verify:
        return narrowed
    candidates = list(narrowed.order_by().select_related(None).only("pk", "name", "phone_digest")[:VERIFY_CAP])
    return queryset.filter(pk__in=[c.pk for c in _verified(query, candidates)])


def customer_search(*, actor: Any, q: str, limit: int = 10) -> list[Customer]:
    """Up to `limit` customers in the actor's scope matching `q`, newest first."""
    query = parse_query(q)
    if not query.mode:
        return []
    # The long key columns are never shown: leave them in the database.
    rows = Customer.objects.select_related("owner").defer("search_text", "phone_grams", "notes", "custom")
    qs = scoping.scope(actor, rows).filter(search_predicate(query))
    qs = qs.order_by("-created_at", "-id")
    if not query.verify:
        return list(qs[:limit])
    found: list[Customer] = []
    offset, step = 0, max(limit * 3, 30)
    while len(found) < limit and offset < VERIFY_CAP:
        chunk = list(qs[offset : offset + step])
        found += _verified(query, chunk)
        if len(chunk) < step:
            break
        offset += step
    return found[:limit]


def _scoped_contacts(actor: Any) -> QuerySet[Contact]:
    """Contacts of the customers in the actor's scope (or Contact's own registration with scoping, if it has one)."""
    try:
        scoping.spec_for(Contact)
    except LookupError:
        return Contact.objects.filter(customer__in=scoping.scope(actor, Customer.objects.all()).values("pk"))
    return scoping.scope(actor, Contact.objects.all())


def _contact_prefilter(query: SearchQuery) -> Q:
    """A cheap SQL condition every matching contact meets (the exact rule is `_contact_matches`)."""
    predicate = Q()
    for atom in query.atoms:
        if atom.token.isdigit() and len(atom.token) == 15:
            continue  # a phone-fragment token: checked on the clear number
        if keys.has_han(atom.token):
            predicate &= Q(name__contains=atom.token)
        else:
            predicate &= (
                Q(name__icontains=atom.token)
                | Q(name_pinyin__contains=atom.token)
                | Q(name_initials__startswith=atom.token)
            )
    return predicate


def _contact_matches(contact: Contact, query: SearchQuery) -> bool:
    phone = keys.national_digits(contact.phone)
    if query.verify and not _digits_found(query.verify, [phone]):
        return bool(query.substring and query.substring.casefold() in contact.name.casefold())
    return keys.tokens_match(keys.contact_tokens(contact.name, contact.phone), query.atoms) or bool(
        query.substring and query.substring.casefold() in contact.name.casefold()
    )


def contact_search(*, actor: Any, q: str, limit: int = 10) -> list[Contact]:
    """Up to `limit` contacts of customers in the actor's scope matching `q` (name, pinyin, initials, phone, email)."""
    query = parse_query(q)
    contacts = _scoped_contacts(actor).select_related("customer").order_by("-id")
    if query.mode == "email":
        digest = _email_digest(query)
        if digest:
            return list(contacts.filter(email_digest=digest)[:limit])
        query = parse_query(query.text.replace("@", " "))
    if not query.mode:
        return []
    found: dict[int, Contact] = {}
    if query.mode == "phone":
        digest = _phone_digest(query)
        if digest:
            found.update((c.pk, c) for c in contacts.filter(phone_digest=digest)[:limit])
    # The newest customers in scope whose search text (which holds their contacts' tokens) matches, then those of
    # their contacts that match themselves. Two short indexed queries; a very broad query looks at the newest
    # CONTACT_CUSTOMERS matching customers only.
    matched = scoping.scope(actor, Customer.objects.all()).filter(fts_expression(query.atoms))
    ids = list(matched.order_by("-created_at", "-id").values_list("pk", flat=True)[:CONTACT_CUSTOMERS])
    rank = {pk: n for n, pk in enumerate(ids)}
    candidates = (
        Contact.objects.filter(customer_id__in=ids).filter(_contact_prefilter(query)).select_related("customer")
    )
    for contact in sorted(candidates, key=lambda c: (rank[c.customer_id], -c.pk)):
        if len(found) >= limit:
            break
        if _contact_matches(contact, query):
            found.setdefault(contact.pk, contact)
    if len(found) < limit and query.substring and query.mode == "text":
        by_name = contacts.filter(_name_contains(query.substring))
        found.update((c.pk, c) for c in by_name[: limit - len(found)] if c.pk not in found)
    return list(found.values())[:limit]
