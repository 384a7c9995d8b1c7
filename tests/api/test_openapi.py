"""The OpenAPI document, the offline docs page, and the API's URL names (used by the access-matrix test)."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.api.helpers import ApiClient, api_as, assert_error

pytestmark = pytest.mark.django_db

# Every API operation's URL name; those with True take the customer id.
URL_NAMES = {
    "customer_list": False,
    "customer_create": False,
    "customer_detail": True,
    "customer_update": True,
    "customer_reveal": True,
}


def _api_route_names() -> set[str]:
    from tests.test_access_matrix import all_route_names

    return {name for name in all_route_names() if name.startswith("api-1:")}


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_url_names():
    paths = {
        "customer_list": "/api/v1/customers/",
        "customer_create": "/api/v1/customers/",
        "customer_detail": "/api/v1/customers/7",
        "customer_update": "/api/v1/customers/7",
        "customer_reveal": "/api/v1/customers/7/reveal",
    }
    for name, takes_id in URL_NAMES.items():
        if takes_id:
            assert reverse(f"api-1:{name}", kwargs={"customer_id": 7}) == paths[name]
            with pytest.raises(NoReverseMatch):
                reverse(f"api-1:{name}")
        else:
            assert reverse(f"api-1:{name}") == paths[name]


def test_openapi_lists_the_customer_routes_with_typed_schemas(org):
    response = api_as(org.rep_a, ("read",)).get("/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    paths = doc["paths"]
    assert set(paths["/api/v1/customers/"]) == {"get", "post"}
    assert set(paths["/api/v1/customers/{customer_id}"]) == {"get", "patch"}
    assert set(paths["/api/v1/customers/{customer_id}/reveal"]) == {"post"}
    operation_ids = {op["operationId"] for ops in paths.values() for op in ops.values()}
    assert operation_ids >= set(URL_NAMES)
    # Every operation is named after its url_name, so the access matrix and the document use the same names.
    resolver_names = {name.split(":", 1)[1] for name in _api_route_names()}
    assert operation_ids <= resolver_names

    schemas = doc["components"]["schemas"]
    out = schemas["CustomerOut"]["properties"]
    assert out["id"]["type"] == "integer"
    assert out["phone"]["type"] == "string"
    assert out["created_at"]["format"] == "date-time"
    assert set(schemas["CustomerOut"]["required"]) >= {"id", "kind", "name", "phone", "email", "owner"}
    assert set(schemas["Kind"]["enum"]) == {"person", "company"}
    assert schemas["CustomerIn"]["required"] == ["name"]
    assert {"phone", "email"} <= set(schemas["RevealIn"]["properties"]["field"]["enum"])

    listing = paths["/api/v1/customers/"]["get"]
    params = {p["name"]: p for p in listing["parameters"]}
    assert set(params) == {"q", "kind", "owner", "created_from", "created_to", "sort", "cursor", "limit"}
    assert params["limit"]["schema"]["minimum"] == 1 and params["limit"]["schema"]["maximum"] == 200
    assert "-created" in params["sort"]["schema"]["enum"]
    page_ref = listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert page_ref.endswith("/CustomerPage")

    # Every operation documents the error shape; only routes with an id document 404.
    error_ref = "#/components/schemas/ErrorOut"
    for path, operations in paths.items():
        for operation in operations.values():
            responses = operation["responses"]
            for status in ("401", "403", "422"):
                assert responses[status]["content"]["application/json"]["schema"]["$ref"] == error_ref
            assert ("404" in responses) == ("{" in path)
            assert operation["security"] == [{"TokenAuth": []}, {"SessionAuth": []}]
    error = schemas["ErrorDetail"]
    assert set(error["required"]) == {"code", "message", "fields"}


def test_openapi_and_docs_need_a_signed_in_user_or_token(org, anon):
    assert_error(anon.get("/openapi.json"), 401, "unauthorized")
    assert_error(ApiClient("gx_wrong").get("/openapi.json"), 401, "unauthorized")
    response = Client().get("/api/v1/docs")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/api/v1/docs")
    assert _signed_in(org.rep_a).get("/api/v1/openapi.json").status_code == 200
    assert api_as(org.viewer).get("/openapi.json").status_code == 200  # the document holds no data


def test_docs_page_works_offline(org):
    response = _signed_in(org.rep_a).get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/v1/openapi.json" in html
    assert '"validatorUrl": null' in html  # Swagger UI would otherwise call validator.swagger.io
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.IGNORECASE)
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html, re.IGNORECASE)
    scripts = [a for a in assets if a.endswith(".js")]
    assert any("swagger-ui-bundle" in a for a in scripts)
    assert any(a.endswith(".css") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")) is not None, asset


def test_docs_page_carries_the_csrf_token_for_try_it_out(org):
    html = _signed_in(org.rep_a).get("/api/v1/docs").content.decode()
    match = re.search(r'data-csrf-token="([^"]+)"', html)
    assert match and len(match.group(1)) >= 32
    assert 'data-api-csrf="true"' in html
