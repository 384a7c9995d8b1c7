"""Access-matrix entries of the public pools and ownership (customers/pools/urls.py and customers/pools/api.py)."""

from __future__ import annotations

from tests.access_specs import ListRoute, ObjectRoute, SearchRoute

# The matrix's customers are owned, or unowned outside any pool, so claims in scope fail with a message (422, or a
# redirect back to the pool page with it); release has no default pool there (422); assign names no real user (422);
# lock needs customers.lock (403 for the personas' roles, done or 422 for the superuser).
SCOPED: dict[str, ListRoute | ObjectRoute | SearchRoute] = {
    "customers:claim": ObjectRoute("post", "pk", (302,), form={}),
    "customers:release": ObjectRoute("post", "pk", (422,), form={"reason": "Access matrix"}),
    "customers:assign": ObjectRoute("get", "pk", (200,)),
    "customers:lock": ObjectRoute("post", "pk", (302, 403, 422), form={"locked": "1"}),
    "api-1:customer_claim": ObjectRoute("post", "customer_id", (422,), body={}, api=True),
    "api-1:customer_release": ObjectRoute("post", "customer_id", (422,), body={"reason": "Access matrix"}, api=True),
    "api-1:customer_assign": ObjectRoute("post", "customer_id", (422,), body={"owner": 999_999}, api=True),
    "api-1:customer_lock": ObjectRoute("post", "customer_id", (200, 403, 422), body={"locked": True}, api=True),
}

_POOL_MEMBERS = (
    "customers in a pool are shown by pool membership, not by owner scope: only unowned customers of the caller's "
    "pools (tested in tests/customers/pools/test_views.py and test_api.py)"
)
_ADMIN = "pool configuration, requires customers.manage_pools; shows no customer records"
_BULK = "ids outside the caller's scope are reported as skipped and left alone (tested in tests/customers/pools)"

UNSCOPED: dict[str, str] = {
    "customers:pool_list": _POOL_MEMBERS,
    "customers:pool_admin_list": _ADMIN + " (only counts)",
    "customers:pool_create": _ADMIN,
    "customers:pool_edit": _ADMIN,
    "customers:pool_delete": _ADMIN,
    "customers:pool_rule_create": _ADMIN,
    "customers:pool_rule_edit": _ADMIN,
    "customers:pool_rule_delete": _ADMIN,
    "api-1:pool_list": "the pools the caller belongs to; pool configuration, no customer records",
    "api-1:pool_customer_list": _POOL_MEMBERS,
    "api-1:customers_bulk_assign": _BULK,
    "api-1:customers_bulk_release": _BULK,
}
