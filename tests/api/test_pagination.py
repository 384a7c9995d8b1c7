"""Cursor pagination of the customer list: every in-scope record exactly once, in order, whatever the ties."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from django.utils import timezone

from guanxi.customers.models import Customer
from guanxi.customers.selectors import SORTS
from tests.api.helpers import api_as, assert_error
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _walk(client, *, limit: int, **params) -> tuple[list[int], int]:
    ids: list[int] = []
    pages = 0
    cursor = None
    while True:
        response = client.get("/customers/", {**params, "limit": limit, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.content
        body = response.json()
        assert len(body["items"]) <= limit
        ids += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return ids, pages
        assert pages < 100, "pagination does not end"


@pytest.fixture
def crowded(org) -> list[Customer]:
    """rep_a's 23 customers share three names and two timestamps; rep_b's look the same but are out of rep_a's scope."""
    base = timezone.now().replace(microsecond=0) - dt.timedelta(days=3)
    stamps = [base, base + dt.timedelta(seconds=1)]
    mine = []
    for i in range(23):
        mine.append(CustomerFactory(owner=org.rep_a, name="ABC"[i % 3]))
    for i in range(7):
        CustomerFactory(owner=org.rep_b, name="ABC"[i % 3])
    for i, customer in enumerate(Customer.objects.order_by("id")):
        stamp = stamps[i % 2]
        Customer.objects.filter(pk=customer.pk).update(created_at=stamp, updated_at=stamp)
    return [Customer.objects.get(pk=c.pk) for c in mine]


_KEYS = {"name": "name", "created": "created_at", "updated": "updated_at"}


@pytest.mark.parametrize("sort", list(SORTS))
@pytest.mark.parametrize("limit", [1, 4, 23, 50])
def test_walk_yields_every_record_once_in_order(org, crowded, sort, limit):
    ids, pages = _walk(api_as(org.rep_a), limit=limit, sort=sort)
    attr = _KEYS[sort.lstrip("-")]
    expected = [c.pk for c in sorted(crowded, key=lambda c: (getattr(c, attr), c.pk), reverse=sort.startswith("-"))]
    assert ids == expected
    assert pages == max(1, -(-len(crowded) // limit))  # no empty trailing page


def test_walk_with_a_filter(org, crowded):
    ids, _pages = _walk(api_as(org.rep_a), limit=2, sort="name", q="B")
    assert ids == sorted(c.pk for c in crowded if c.name == "B")


def test_rows_added_during_a_walk_do_not_shift_pages(org, crowded):
    client = api_as(org.rep_a)
    first = client.get("/customers/", {"sort": "-created", "limit": 5}).json()
    newest = CustomerFactory(owner=org.rep_a, name="Newest")
    seen = [item["id"] for item in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        body = client.get("/customers/", {"sort": "-created", "limit": 5, "cursor": cursor}).json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
    assert len(seen) == len(set(seen))
    assert set(seen) == {c.pk for c in crowded}  # the new row sorts before the cursor: it waits for the next walk
    assert newest.pk not in seen


def _cursor(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        "bm90IGpzb24",  # "not json"
        _cursor([1, 2]),
        _cursor({"o": ["-created_at", "-id"], "v": ["2024-01-01T00:00:00+00:00"]}),
        _cursor({"o": ["-created_at", "-id"], "v": [None, 5]}),
        _cursor({"o": ["-created_at", "-id"], "v": ["yesterday", 5]}),
        _cursor({"o": ["-created_at", "-id"], "v": ["2024-01-01T00:00:00", 5]}),  # naive
        _cursor({"o": ["-created_at", "-id"], "v": ["2024-01-01T00:00:00+00:00", "five"]}),
        _cursor({"o": ["-created_at", "-id"], "v": ["2024-01-01T00:00:00+00:00", {"id": 5}]}),
        _cursor({"o": ["name", "id"], "v": ["A", 5]}),  # made for another sort
    ],
)
def test_invalid_cursor_is_422_naming_cursor(org, crowded, cursor):
    error = assert_error(api_as(org.rep_a).get("/customers/", {"cursor": cursor}), 422, "validation_error")
    assert list(error["fields"]) == ["cursor"]


def test_a_cursor_belongs_to_its_sort(org, crowded):
    client = api_as(org.rep_a)
    cursor = client.get("/customers/", {"sort": "name", "limit": 2}).json()["next_cursor"]
    assert client.get("/customers/", {"sort": "name", "cursor": cursor}).status_code == 200
    error = assert_error(client.get("/customers/", {"sort": "-name", "cursor": cursor}), 422, "validation_error")
    assert list(error["fields"]) == ["cursor"]


@pytest.mark.parametrize(("limit", "status"), [(0, 422), (-1, 422), (1, 200), (200, 200), (201, 422)])
def test_limit_bounds(org, crowded, limit, status):
    response = api_as(org.rep_a).get("/customers/", {"limit": limit})
    if status == 422:
        assert list(assert_error(response, 422, "validation_error")["fields"]) == ["limit"]
    else:
        assert response.status_code == 200
        assert len(response.json()["items"]) == min(limit, len(crowded))


def test_default_limit_is_50(org):
    CustomerFactory.create_batch(51, owner=org.rep_a)
    body = api_as(org.rep_a).get("/customers/").json()
    assert len(body["items"]) == 50
    assert body["next_cursor"]
