"""Keyset pages walk every row exactly once in every sort, forwards and backwards; counts stay cheap."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from guanxi.customers import selectors
from guanxi.customers.lists import paging
from guanxi.customers.lists.filters import LIST_SORTS, CustomerFilter
from guanxi.customers.models import Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(org):
    now = timezone.now()
    made = []
    for i in range(23):
        made.append(
            CustomerFactory(
                name=f"c{i % 5}",  # repeated names: the id breaks ties
                owner=[org.rep_a, org.rep_b, None][i % 3],
                last_follow_up_at=None if i % 4 == 0 else now - dt.timedelta(days=i % 6),
                lifecycle_stage=["new", "active", "loyal"][i % 3],
            )
        )
    Customer.objects.filter(pk__in=[c.pk for c in made[:6]]).update(created_at=now - dt.timedelta(days=1))
    return made


def _walk(actor, sort: str, size: int) -> tuple[list[int], list[list[int]]]:
    qs = selectors.customer_list(actor=actor, filters=CustomerFilter(sort=sort))
    pages: list[list[int]] = []
    cursor = ""
    while True:
        page = paging.keyset_page(qs, sort=sort, specs=LIST_SORTS[sort], size=size, after=cursor)
        pages.append([c.pk for c in page.rows])
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    return list(qs.values_list("pk", flat=True)), pages


@pytest.mark.parametrize("sort", sorted(LIST_SORTS))
def test_pages_cover_every_row_once_in_order(org, rows, sort):
    expected, pages = _walk(org.admin, sort, 4)
    walked = [pk for page in pages for pk in page]
    assert walked == expected
    assert len(walked) == len(rows)


@pytest.mark.parametrize("sort", ["-created", "-last_follow_up", "owner", "name"])
def test_previous_goes_back_to_the_same_page(org, rows, sort):
    qs = selectors.customer_list(actor=org.admin, filters=CustomerFilter(sort=sort))
    specs = LIST_SORTS[sort]
    first = paging.keyset_page(qs, sort=sort, specs=specs, size=5)
    assert first.prev_cursor is None and first.next_cursor
    second = paging.keyset_page(qs, sort=sort, specs=specs, size=5, after=first.next_cursor)
    third = paging.keyset_page(qs, sort=sort, specs=specs, size=5, after=second.next_cursor)
    back = paging.keyset_page(qs, sort=sort, specs=specs, size=5, before=third.prev_cursor)
    assert [c.pk for c in back.rows] == [c.pk for c in second.rows]
    assert back.prev_cursor and back.next_cursor
    again = paging.keyset_page(qs, sort=sort, specs=specs, size=5, before=back.prev_cursor)
    assert [c.pk for c in again.rows] == [c.pk for c in first.rows]
    assert again.prev_cursor is None


def test_a_cursor_for_another_sort_or_garbage_starts_again(org, rows):
    qs = selectors.customer_list(actor=org.admin, filters=CustomerFilter())
    first = paging.keyset_page(qs, sort="-created", specs=LIST_SORTS["-created"], size=3)
    for cursor in (first.next_cursor, "not-a-cursor", "eyJzIjoiLWNyZWF0ZWQiLCJ2IjpbMSwyXX0"):
        page = paging.keyset_page(
            qs.order_by("name", "id"), sort="name", specs=LIST_SORTS["name"], size=3, after=cursor
        )
        assert [c.pk for c in page.rows] == list(qs.order_by("name", "id").values_list("pk", flat=True)[:3])


def test_count_is_exact_below_the_cap_and_capped_above(org, rows, monkeypatch):
    qs = Customer.objects.all()
    assert paging.count_rows(qs) == paging.ListCount(value=23, exact=True)
    capped = paging.count_rows(qs, cap=10)
    assert capped.value == 10 and not capped.exact and not capped.estimated


def test_unfiltered_all_scope_uses_the_planner_estimate_on_postgresql(org, rows, monkeypatch):
    from django.db import connection

    monkeypatch.setattr(paging, "_table_estimate", lambda qs: 1_234_567)
    result = selectors.customer_count(
        actor=org.director, filters=CustomerFilter(), queryset=selectors.customer_list(actor=org.director)
    )
    if connection.vendor == "postgresql":
        assert result == paging.ListCount(value=1_234_567, exact=False, estimated=True)
    else:
        assert result == paging.ListCount(value=23, exact=True)
    # A filter, or a narrower scope, always counts (up to the cap).
    filtered = CustomerFilter(kind="person")
    assert selectors.customer_count(
        actor=org.director, filters=filtered, queryset=selectors.customer_list(actor=org.director, filters=filtered)
    ).exact
    assert selectors.customer_count(
        actor=org.rep_a, filters=CustomerFilter(), queryset=selectors.customer_list(actor=org.rep_a)
    ) == paging.ListCount(value=8, exact=True)
