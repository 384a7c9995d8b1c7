"""Routes of the customer list area (saved views, bulk actions). The list itself is "customers:list" in the matrix."""

from __future__ import annotations

from tests.access_specs import ListRoute, ObjectRoute, SearchRoute

SCOPED: dict[str, ListRoute | ObjectRoute | SearchRoute] = {}

UNSCOPED: dict[str, str] = {
    "customers:saved_view_save": "saves the caller's own view of the list (filters and columns, no records)",
    "customers:saved_view_delete": "the caller's own saved views (anyone else's answer 404, tests/customers/lists)",
    "customers:saved_view_default": "the caller's own saved views (anyone else's answer 404, tests/customers/lists)",
    "customers:bulk": "every id is re-checked against the caller's scope; others are skipped unchanged "
    "(tests/customers/lists/test_bulk.py)",
    "api-1:customer_saved_views": "the caller's own and shared saved views: filters, no customer records",
    "api-1:customer_bulk": "every id is re-checked against the caller's scope; others are skipped unchanged "
    "(tests/customers/lists/test_api.py)",
}
