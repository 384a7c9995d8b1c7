"""core.pagination.cursor_paginate on its own: keyset conditions, cursors, and the orderings it refuses."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from guanxi.core.pagination import MAX_LIMIT, cursor_paginate, decode_cursor, encode_cursor
from guanxi.customers.models import Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _walk(queryset, limit: int) -> list[int]:
    ids: list[int] = []
    cursor = None
    while True:
        page = cursor_paginate(queryset, cursor=cursor, limit=limit)
        ids += [c.pk for c in page.items]
        if page.next_cursor is None:
            return ids
        cursor = page.next_cursor


def test_mixed_directions_and_ties(db):
    stamp = timezone.now().replace(microsecond=0)
    for i in range(17):
        c = CustomerFactory(owner=None, name="XY"[i % 2], kind="company" if i % 3 else "person")
        Customer.objects.filter(pk=c.pk).update(created_at=stamp + dt.timedelta(seconds=i % 2))
    for ordering in (["kind", "-name", "created_at", "id"], ["-kind", "name", "-created_at", "-id"]):
        queryset = Customer.objects.order_by(*ordering)
        expected = list(queryset.values_list("id", flat=True))
        for limit in (1, 2, 5, 17, 18):
            assert _walk(queryset, limit) == expected, (ordering, limit)


def test_model_ordering_is_used_when_the_queryset_has_none(db):
    customers = CustomerFactory.create_batch(5, owner=None)
    assert _walk(Customer.objects.all(), 2) == [c.pk for c in reversed(customers)]  # Meta: -created_at, -id


def test_pk_alias_and_last_page(db):
    customers = CustomerFactory.create_batch(4, owner=None)
    page = cursor_paginate(Customer.objects.order_by("pk"), cursor=None, limit=2)
    assert [c.pk for c in page.items] == [c.pk for c in customers[:2]]
    last = cursor_paginate(Customer.objects.order_by("pk"), cursor=page.next_cursor, limit=2)
    assert [c.pk for c in last.items] == [c.pk for c in customers[2:]]
    assert last.next_cursor is None


def test_empty(db):
    page = cursor_paginate(Customer.objects.order_by("id"), cursor=None, limit=10)
    assert page.items == [] and page.next_cursor is None


@pytest.mark.parametrize(
    "ordering",
    [
        ["name"],  # does not end with the primary key
        ["id", "name"],
        ["owner", "id"],  # nullable
        ["owner__username", "id"],  # not a plain field
        ["?"],
    ],
)
def test_unsupported_orderings_are_refused(db, ordering):
    with pytest.raises(ValueError):
        cursor_paginate(Customer.objects.order_by(*ordering), cursor=None, limit=10)


@pytest.mark.parametrize("limit", [0, MAX_LIMIT + 1])
def test_limit_out_of_bounds(db, limit):
    with pytest.raises(ValidationError) as info:
        cursor_paginate(Customer.objects.order_by("id"), cursor=None, limit=limit)
    assert set(info.value.message_dict) == {"limit"}


def test_cursor_round_trip_keeps_types():
    when = dt.datetime(2024, 5, 1, 8, 30, 15, 123456, tzinfo=dt.UTC)
    ordering = ["-created_at", "name", "-id"]
    cursor = encode_cursor(ordering, [when, "张三", 42])
    assert "=" not in cursor and "/" not in cursor and "+" not in cursor
    assert decode_cursor(cursor, ordering, Customer) == [when, "张三", 42]


def test_cursor_for_another_ordering_is_refused():
    cursor = encode_cursor(["name", "id"], ["A", 1])
    with pytest.raises(ValidationError) as info:
        decode_cursor(cursor, ["-name", "-id"], Customer)
    assert set(info.value.message_dict) == {"cursor"}
