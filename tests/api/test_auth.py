"""Who may call the API: bearer tokens (scopes, revocation, expiry), sessions with CSRF, inactive users."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from guanxi.accounts.models import ApiToken
from guanxi.accounts.services import api_token_create, api_token_revoke
from guanxi.customers.models import Customer
from tests.api.helpers import ApiClient, api_as, assert_error, make_token
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

NEW = {"name": "New customer", "phone": "13812345678"}
CSRF_SECRET = "abcdefghijklmnopqrstuvwxyzABCDEF"  # 32 characters: a valid unmasked CSRF secret


def test_no_credentials_is_401_with_challenge(anon):
    response = anon.get("/customers/")
    assert_error(response, 401, "unauthorized")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_anonymous_write_is_401_not_a_csrf_403(anon):
    # ninja's stock SessionAuth checked CSRF before knowing whether anyone was signed in.
    client = ApiClient(client=Client(enforce_csrf_checks=True))
    assert_error(client.post("/customers/", NEW), 401, "unauthorized")
    assert_error(anon.post("/customers/", NEW), 401, "unauthorized")
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    "header",
    [
        "Bearer gx_not-a-real-token",
        "Bearer not-even-our-prefix",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "gx_token-without-scheme",
    ],
)
def test_bad_credentials_are_401(org, header):
    make_token(org.rep_a)  # a real token exists, but is not the one sent
    response = Client().get("/api/v1/customers/", headers={"Authorization": header})
    assert_error(response, 401, "unauthorized")


def test_valid_token_reads(org):
    customer = CustomerFactory(owner=org.rep_a)
    response = api_as(org.rep_a, ("read",)).get("/customers/")
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [customer.pk]


def test_revoked_token_is_401(org):
    token, raw = api_token_create(actor=org.rep_a, name="ci", scopes=["read"])
    client = ApiClient(raw)
    assert client.get("/customers/").status_code == 200
    api_token_revoke(actor=org.rep_a, token=token)
    assert_error(client.get("/customers/"), 401, "unauthorized")


def test_expired_token_is_401(org):
    token, raw = api_token_create(
        actor=org.rep_a, name="ci", scopes=["read"], expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    client = ApiClient(raw)
    assert client.get("/customers/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert_error(client.get("/customers/"), 401, "unauthorized")


def test_token_of_inactive_user_is_401(org):
    client = api_as(org.rep_a)
    assert client.get("/customers/").status_code == 200
    org.rep_a.is_active = False
    org.rep_a.save(update_fields=["is_active"])
    assert_error(client.get("/customers/"), 401, "unauthorized")


def test_session_of_inactive_user_is_401(org):
    client = Client()
    client.force_login(org.rep_a)
    assert client.get("/api/v1/customers/").status_code == 200
    org.rep_a.is_active = False
    org.rep_a.save(update_fields=["is_active"])
    assert_error(client.get("/api/v1/customers/"), 401, "unauthorized")


def test_use_updates_last_used_at(org):
    token, raw = api_token_create(actor=org.rep_a, name="ci", scopes=["read"])
    assert token.last_used_at is None
    before = timezone.now()
    assert ApiClient(raw).get("/customers/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_at >= before


def test_read_only_token_cannot_create_or_update(org):
    customer = CustomerFactory(owner=org.rep_a, name="Before")
    client = api_as(org.rep_a, ("read",))
    error = assert_error(client.post("/customers/", NEW), 403, "forbidden")
    assert "write" in error["message"]
    assert_error(client.patch(f"/customers/{customer.pk}", {"name": "After"}), 403, "forbidden")
    customer.refresh_from_db()
    assert customer.name == "Before"
    assert Customer.objects.count() == 1


def test_write_token_creates(org):
    response = api_as(org.rep_a, ("write",)).post("/customers/", NEW)
    assert response.status_code == 201, response.content
    assert Customer.objects.get(pk=response.json()["id"]).owner == org.rep_a


def test_token_acts_for_its_user_only(org):
    CustomerFactory(owner=org.rep_b)
    mine = CustomerFactory(owner=org.rep_a)
    items = api_as(org.rep_a).get("/customers/").json()["items"]
    assert [item["id"] for item in items] == [mine.pk]


def test_role_without_permission_is_403_even_with_a_write_token(org):
    assert_error(api_as(org.viewer).get("/customers/"), 403, "forbidden")
    assert_error(api_as(org.viewer).post("/customers/", NEW), 403, "forbidden")


# --- sessions and CSRF ------------------------------------------------------------------------------------------------
def _session(user, *, csrf: bool) -> ApiClient:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    headers = {}
    if csrf:
        client.cookies["csrftoken"] = CSRF_SECRET
        headers["X-CSRFToken"] = CSRF_SECRET
    return ApiClient(client=client, headers=headers)


def test_session_reads_without_csrf(org):
    customer = CustomerFactory(owner=org.rep_a)
    client = _session(org.rep_a, csrf=False)
    assert client.get("/customers/").status_code == 200
    assert client.get(f"/customers/{customer.pk}").status_code == 200


def test_session_write_without_csrf_token_is_403(org):
    customer = CustomerFactory(owner=org.rep_a, name="Before")
    client = _session(org.rep_a, csrf=False)
    assert_error(client.post("/customers/", NEW), 403, "csrf_failed")
    assert_error(client.patch(f"/customers/{customer.pk}", {"name": "After"}), 403, "csrf_failed")
    # A cookie alone is not enough: the header must carry the token.
    client.client.cookies["csrftoken"] = CSRF_SECRET
    assert_error(client.post("/customers/", NEW), 403, "csrf_failed")
    assert_error(client.post("/customers/", NEW, headers={"X-CSRFToken": "x" * 32}), 403, "csrf_failed")
    customer.refresh_from_db()
    assert customer.name == "Before"
    assert Customer.objects.count() == 1


def test_session_write_with_csrf_token_succeeds(org):
    customer = CustomerFactory(owner=org.rep_a, name="Before")
    client = _session(org.rep_a, csrf=True)
    created = client.post("/customers/", NEW)
    assert created.status_code == 201, created.content
    changed = client.patch(f"/customers/{customer.pk}", {"name": "After"})
    assert changed.status_code == 200, changed.content
    customer.refresh_from_db()
    assert customer.name == "After"


def test_token_writes_need_no_csrf(org):
    client = ApiClient(make_token(org.rep_a), client=Client(enforce_csrf_checks=True))
    assert client.post("/customers/", NEW).status_code == 201


def test_a_sent_authorization_header_never_falls_back_to_the_session(org):
    client = Client()
    client.force_login(org.rep_a)
    assert client.get("/api/v1/customers/").status_code == 200
    response = client.get("/api/v1/customers/", headers={"Authorization": "Bearer gx_revoked-or-wrong"})
    assert_error(response, 401, "unauthorized")
