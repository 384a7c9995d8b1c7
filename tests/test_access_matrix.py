"""The access matrix: every role scope × every route that shows scoped records.

The test walks the URL resolver itself. Every route must be listed below, either as a scoped route (checked for every
persona against an independent table of what each persona may see) or as an unscoped route with the reason. A new route
that is in neither table fails `test_every_route_is_classified`, so nothing is added without coverage.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from guanxi.customers.models import Customer
from tests import access_routes
from tests.access_specs import ListRoute, ObjectRoute, SearchRoute

pytestmark = pytest.mark.django_db

# Who sees whose customers: written out by hand from the org in tests/conftest.py, not computed by the code under test.
# sales_head heads Sales (East is below it); lead leads Team A (lead, rep_a); "pool" = customers without an owner.
VISIBLE: dict[str, set[str]] = {
    "admin": {"admin", "director", "sales_head", "lead", "rep_a", "rep_b", "agent", "pool"},
    "director": {"admin", "director", "sales_head", "lead", "rep_a", "rep_b", "agent", "pool"},
    "sales_head": {"sales_head", "lead", "rep_a", "rep_b"},
    "lead": {"lead", "rep_a"},
    "rep_a": {"rep_a"},
    "rep_b": {"rep_b"},
    "agent": {"agent"},
}
OWNER_KEYS = sorted({key for keys in VISIBLE.values() for key in keys})


SCOPED: dict[str, ListRoute | ObjectRoute | SearchRoute] = {
    "customers:list": ListRoute(query={"size": 100}),
    "customers:detail": ObjectRoute("get", "pk", (200,)),
    "customers:edit": ObjectRoute("get", "pk", (200,)),
    "customers:delete": ObjectRoute("post", "pk", (302,)),
    "customers:reveal": ObjectRoute("post", "pk", (200,), extra={"field": "phone"}),
    "core:search": SearchRoute(),
    "api-1:customer_list": ListRoute(query={"limit": 200}, api=True),
    "api-1:customer_detail": ObjectRoute("get", "customer_id", (200,), api=True),
    "api-1:customer_update": ObjectRoute("patch", "customer_id", (200,), body={"name": "Renamed"}, api=True),
    "api-1:customer_reveal": ObjectRoute("post", "customer_id", (200,), body={"field": "phone"}, api=True),
}

# Routes that show no customer-owned records, and why. Each still needs a signed-in user unless marked public.
UNSCOPED: dict[str, str] = {
    "core:home": "dashboard cards count through the customer selectors (covered by the list routes)",
    "core:healthz": "public liveness probe, no data",
    "core:job_status": "the caller's own jobs (anyone else's answer 404, tested in tests/core/test_jobs_progress.py)",
    "accounts:login": "public sign-in page",
    "accounts:logout": "ends the caller's own session",
    "accounts:set_language": "public; changes the caller's own preference",
    "accounts:profile": "the caller's own account",
    "accounts:notifications": "the caller's own notifications",
    "accounts:otp": "the caller's own second factor",
    "accounts:otp_setup": "the caller's own second factor",
    "accounts:otp_confirm": "the caller's own second factor",
    "accounts:otp_disable": "the caller's own second factor",
    "accounts:token_create": "creates a token for the caller only",
    "accounts:token_revoke": "the caller's own tokens (others answer 404, tested in tests/accounts)",
    "accounts:user_list": "organisation admin, requires accounts.manage",
    "accounts:user_create": "organisation admin, requires accounts.manage",
    "accounts:user_edit": "organisation admin, requires accounts.manage",
    "accounts:user_toggle_active": "organisation admin, requires accounts.manage",
    "accounts:department_list": "organisation admin, requires accounts.manage",
    "accounts:department_create": "organisation admin, requires accounts.manage",
    "accounts:department_edit": "organisation admin, requires accounts.manage",
    "accounts:department_delete": "organisation admin, requires accounts.manage",
    "accounts:team_list": "organisation admin, requires accounts.manage",
    "accounts:team_create": "organisation admin, requires accounts.manage",
    "accounts:team_edit": "organisation admin, requires accounts.manage",
    "accounts:role_list": "organisation admin, requires accounts.manage",
    "accounts:role_create": "organisation admin, requires accounts.manage",
    "accounts:role_edit": "organisation admin, requires accounts.manage",
    "audit:log": "audit log, requires audit.view (an administrator's permission that spans all records)",
    "audit:object_history": "audit log, requires audit.view",
    "customers:create": "creates a record owned inside the caller's scope (owner rules tested in test_services)",
    "api-1:customer_create": "creates a record owned inside the caller's scope",
    "api-1:openapi-json": "API description, no records",
    "api-1:openapi-view": "API documentation page, no records",
    "api-1:api-root": "ninja's index of the API, no records",
}
PUBLIC = {"core:healthz", "accounts:login", "accounts:set_language", "api-1:api-root"}

# Each area of the product declares its routes in tests/access_routes/<area>.py.
for _info in pkgutil.iter_modules(access_routes.__path__):
    _module = importlib.import_module(f"{access_routes.__name__}.{_info.name}")
    for _name, _table in (("SCOPED", SCOPED), ("UNSCOPED", UNSCOPED)):
        _extra = getattr(_module, _name, {})
        _clash = set(_extra) & (set(SCOPED) | set(UNSCOPED))
        assert not _clash, f"{_info.name} declares routes twice: {sorted(_clash)}"
        _table.update(_extra)
    PUBLIC |= set(getattr(_module, "PUBLIC", set()))


def walk(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = ":".join(p for p in (namespace, entry.namespace or "") if p)
            yield from walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}:{entry.name}" if namespace else str(entry.name)), entry


def all_route_names() -> set[str]:
    return {name for name, _pattern in walk(get_resolver().url_patterns)}


def test_every_route_is_classified() -> None:
    names = all_route_names()
    unclassified = sorted(names - set(SCOPED) - set(UNSCOPED))
    assert not unclassified, f"add these routes to the access matrix (SCOPED or UNSCOPED): {unclassified}"
    stale = sorted((set(SCOPED) | set(UNSCOPED)) - names)
    assert not stale, f"the access matrix lists routes that no longer exist: {stale}"


@pytest.fixture
def world(org, customers_by_owner):  # type: ignore[no-untyped-def]
    return org, customers_by_owner


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ids_in(response: Any, api: bool, attr: str = "data-customer-id") -> set[int]:
    if api:
        return {item["id"] for item in response.json()["items"]}
    return {int(i) for i in re.findall(attr + r'="(\d+)"', response.content.decode())}


def _expected_ids(customers_by_owner: dict[str, list[Customer]], persona: str) -> set[int]:
    return {c.pk for key in VISIBLE[persona] for c in customers_by_owner[key]}


@pytest.mark.parametrize("persona", sorted(VISIBLE))
@pytest.mark.parametrize("route", sorted(n for n, r in SCOPED.items() if isinstance(r, ListRoute)))
def test_list_shows_exactly_the_scope(world, persona: str, route: str) -> None:  # type: ignore[no-untyped-def]
    org, customers_by_owner = world
    spec = SCOPED[route]
    assert isinstance(spec, ListRoute)
    expected = _expected_ids(customers_by_owner, persona)
    if spec.make is not None:
        made = {key: [spec.make(c) for c in customers] for key, customers in customers_by_owner.items()}
        expected = {i for key in VISIBLE[persona] for i in made[key]}
    response = _client(org.personas()[persona]).get(reverse(route, kwargs=spec.kwargs), spec.query)
    assert response.status_code == 200
    assert _ids_in(response, spec.api, spec.attr) == expected


@pytest.mark.parametrize("persona", sorted(VISIBLE))
@pytest.mark.parametrize("route", sorted(n for n, r in SCOPED.items() if isinstance(r, ObjectRoute)))
def test_object_routes_answer_404_outside_the_scope(world, persona: str, route: str) -> None:  # type: ignore[no-untyped-def]
    org, customers_by_owner = world
    spec = SCOPED[route]
    assert isinstance(spec, ObjectRoute)
    client = _client(org.personas()[persona])
    for owner_key in OWNER_KEYS:
        customer = customers_by_owner[owner_key][0]
        target = spec.make(customer) if spec.make is not None else customer.pk
        url = reverse(route, kwargs={spec.kwarg: target, **spec.extra})
        before = Customer.objects.filter(pk=customer.pk).values("name", "owner_id").first()
        if spec.body is not None:
            response = getattr(client, spec.method)(url, json.dumps(spec.body), content_type="application/json")
        elif spec.form is not None:
            response = getattr(client, spec.method)(url, spec.form)
        else:
            response = getattr(client, spec.method)(url)
        if owner_key in VISIBLE[persona]:
            assert response.status_code in spec.ok, (owner_key, response.status_code)
        else:
            assert response.status_code == 404, (owner_key, response.status_code)
            assert Customer.objects.filter(pk=customer.pk).values("name", "owner_id").first() == before


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_search_finds_only_in_scope(world, persona: str) -> None:  # type: ignore[no-untyped-def]
    org, customers_by_owner = world
    client = _client(org.personas()[persona])
    for owner_key in OWNER_KEYS:
        response = client.get(reverse("core:search"), {"q": f"{owner_key}-customer"})
        assert response.status_code == 200
        found = {int(i) for i in re.findall(r'href="/customers/(\d+)/"', response.content.decode())}
        expected = {c.pk for c in customers_by_owner[owner_key]} if owner_key in VISIBLE[persona] else set()
        assert found == expected, owner_key


def test_a_user_without_customer_permission_sees_nothing(org, customers_by_owner) -> None:  # type: ignore[no-untyped-def]
    client = _client(org.viewer)
    assert client.get(reverse("customers:list")).status_code == 403
    assert client.get(reverse("api-1:customer_list")).status_code == 403
    any_customer = customers_by_owner["agent"][0]
    assert client.get(reverse("customers:detail", args=[any_customer.pk])).status_code in (403, 404)


def _sample_kwargs(pattern: URLPattern) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    for name, converter in pattern.pattern.converters.items():
        kwargs[name] = "phone" if type(converter).__name__ == "StringConverter" else 1
    return kwargs


@pytest.mark.parametrize("route", sorted(all_route_names() - PUBLIC))
def test_anonymous_callers_are_turned_away(client, route: str) -> None:  # type: ignore[no-untyped-def]
    pattern = dict(walk(get_resolver().url_patterns))[route]
    url = reverse(route, kwargs=_sample_kwargs(pattern))
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        if route == "api-1:openapi-view":  # the API docs page is a page: it sends a browser to the login form
            assert response.status_code in (302, 405), (method, response.status_code)
        elif url.startswith("/api/"):
            assert response.status_code in (401, 405), (method, response.status_code)
        else:
            assert response.status_code == 302, (method, response.status_code)
            assert response["Location"].startswith(reverse("accounts:login"))
