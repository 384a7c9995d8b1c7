"""Routes of the search area (customers/search). The global search page itself (core:search) is a SearchRoute in the
main table; the API's search answers `items` (customers) like a list, so the matrix checks it as a ListRoute: a query
that every test customer's name contains ("customer") must return exactly the customers in the persona's scope."""

from __future__ import annotations

from tests.access_specs import ListRoute, ObjectRoute, SearchRoute

SCOPED: dict[str, ListRoute | ObjectRoute | SearchRoute] = {
    "api-1:customer_search": ListRoute(query={"q": "customer", "limit": 50}, api=True),
}
UNSCOPED: dict[str, str] = {}
