"""Routes of the duplicate check and merge (customers/dedupe)."""

from __future__ import annotations

from tests.access_specs import ObjectRoute
from tests.factories_dedupe import merge_record_for

SCOPED = {
    # The kept customer of a merge must be in scope (the other one too: tested in tests/customers/dedupe).
    "customers:merge": ObjectRoute("get", "pk", (200,)),
    "customers:merge_record": ObjectRoute("get", "pk", (200,), make=merge_record_for),
}

UNSCOPED = {
    "customers:duplicate_check": (
        "checks ALL customers on purpose (撞单); outside the scope it tells only the owner or pool, never the name, "
        "id or contact data (tested in tests/customers/dedupe/test_views.py)"
    ),
    "api-1:customer_duplicates": (
        "checks ALL customers on purpose (撞单); outside the scope only the owner or pool is told "
        "(tested in tests/customers/dedupe/test_api.py)"
    ),
}
