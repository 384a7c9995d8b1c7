"""Finding customers by what a user types: name, phone in any format, email (extended by the search area)."""

from __future__ import annotations

import contextlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from guanxi.core import crypto
from guanxi.customers.models import Customer
from guanxi.customers.services import normalize_email, normalize_phone


def search_predicate(q: str) -> Q:
    predicate = Q(name__icontains=q)
    try:
        phone = normalize_phone(q)
    except ValidationError:
        phone = ""
    if phone:
        predicate |= Q(phone_digest=crypto.digest(phone))
    if "@" in q:
        with contextlib.suppress(ValidationError):
            predicate |= Q(email_digest=crypto.digest(normalize_email(q).lower()))
    return predicate


def apply_search(queryset: QuerySet[Customer], q: str) -> QuerySet[Customer]:
    """`queryset` narrowed to the customers matching `q` (the list filter and the global search both use this)."""
    q = (q or "").strip()
    if not q:
        return queryset
    return queryset.filter(search_predicate(q))


def customer_search(*, actor: Any, q: str, limit: int = 10) -> list[Customer]:
    from guanxi.customers.selectors import CustomerFilter, customer_list

    if not q.strip():
        return []
    return list(customer_list(actor=actor, filters=CustomerFilter(q=q))[:limit])
