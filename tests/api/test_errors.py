"""Every failure answers {"error": {"code", "message", "fields"}}; a 500 never shows a traceback."""

from __future__ import annotations

import pytest
from django.test import Client

from guanxi.customers import selectors
from guanxi.customers.models import Customer
from tests.api.helpers import ApiClient, api_as, assert_error, make_token
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_401_shape(anon):
    error = assert_error(anon.get("/customers/1"), 401, "unauthorized")
    assert error["fields"] == {}


def test_403_shape_for_a_role_without_the_permission(org):
    error = assert_error(api_as(org.viewer).get("/customers/"), 403, "forbidden")
    assert error["fields"] == {}


def test_404_for_unknown_and_out_of_scope_ids_is_the_same(org):
    theirs = CustomerFactory(owner=org.rep_b)
    client = api_as(org.rep_a)
    unknown = client.get(f"/customers/{theirs.pk + 1000}")
    out_of_scope = client.get(f"/customers/{theirs.pk}")
    assert_error(unknown, 404, "not_found")
    assert_error(out_of_scope, 404, "not_found")
    assert unknown.content == out_of_scope.content
    # The owner sees it, so the 404 above is about scope, not about a missing row.
    assert api_as(org.rep_b).get(f"/customers/{theirs.pk}").status_code == 200


def test_405_is_json_and_lists_the_allowed_methods(org):
    client = api_as(org.rep_a)
    response = client.send("delete", "/customers/")
    assert_error(response, 405, "method_not_allowed")
    assert {m.strip() for m in response["Allow"].split(",")} == {"GET", "POST"}
    response = client.send("put", "/customers/1")
    assert_error(response, 405, "method_not_allowed")
    assert {m.strip() for m in response["Allow"].split(",")} == {"GET", "PATCH"}


def test_422_from_a_service_names_the_fields(org):
    error = assert_error(
        api_as(org.rep_a).post("/customers/", {"name": "  ", "phone": "12345", "email": "nope"}),
        422,
        "validation_error",
    )
    assert set(error["fields"]) == {"name", "phone", "email"}
    assert all(isinstance(m, str) and m for messages in error["fields"].values() for m in messages)
    assert "12345" in error["fields"]["phone"][0]
    assert not Customer.objects.exists()


def test_422_from_schema_validation_names_the_fields(org):
    client = api_as(org.rep_a)
    error = assert_error(client.post("/customers/", {"kind": "robot", "owner": "abc"}), 422, "validation_error")
    assert set(error["fields"]) == {"name", "kind", "owner"}
    error = assert_error(client.get("/customers/", {"limit": "many", "sort": "bogus"}), 422, "validation_error")
    assert set(error["fields"]) == {"limit", "sort"}
    error = assert_error(client.post("/customers/1/reveal", {"field": "password"}), 422, "validation_error")
    assert set(error["fields"]) == {"field"}


def test_empty_body_is_422_for_the_whole_input(org):
    error = assert_error(api_as(org.rep_a).post("/customers/", ""), 422, "validation_error")
    assert list(error["fields"]) == ["__all__"]


def test_unreadable_json_is_400(org):
    response = api_as(org.rep_a).post("/customers/", "{not json")
    error = assert_error(response, 400, "bad_request")
    assert "Expecting" not in error["message"]


@pytest.mark.parametrize("debug", [True, False])
def test_500_is_json_without_traceback(org, settings, monkeypatch, debug):
    settings.DEBUG = debug

    def boom(**kwargs):
        raise RuntimeError("secret internals at /srv/guanxi/selectors.py")

    monkeypatch.setattr(selectors, "customer_list", boom)
    client = ApiClient(make_token(org.rep_a), client=Client(raise_request_exception=False))
    response = client.get("/customers/")
    error = assert_error(response, 500, "server_error")
    text = response.content.decode()
    assert "Traceback" not in text
    assert "secret internals" not in text
    assert "RuntimeError" not in text
    assert error["fields"] == {}


def test_500_is_reported_like_any_django_error(org, monkeypatch):
    """Error trackers listen to got_request_exception; the test client re-raises what it hears there."""

    def boom(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "customer_list", boom)
    with pytest.raises(RuntimeError, match="boom"):
        api_as(org.rep_a).get("/customers/")
