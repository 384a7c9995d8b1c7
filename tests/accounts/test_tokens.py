"""Personal API tokens on the profile page: created with the secret shown once, listed, revoked by their owner only."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from guanxi.accounts import services
from guanxi.accounts.models import ApiToken
from guanxi.audit.models import AuditEntry
from tests.factories import RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_user(org):
    role = RoleFactory(name="API user", permissions=["customers.view", "api.use"])
    return UserFactory(username="integrator", department=org.sales, roles=[role])


def test_create_shows_the_token_once_then_only_its_prefix(client, api_user):
    client.force_login(api_user)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert 'id="api-tokens"' in page
    response = client.post(
        reverse("accounts:token_create"),
        {"token-name": "ERP sync", "token-scopes": ["read", "write"], "token-expires_at": ""},
    )
    assert response.status_code == 200
    raw = re.search(r"data-raw-token>(gx_[^<]+)<", response.content.decode()).group(1)
    token = ApiToken.objects.get(user=api_user)
    assert token.name == "ERP sync"
    assert token.scopes == ["read", "write"]
    assert token.expires_at is None
    assert token.digest == ApiToken.hash(raw)
    assert services.api_token_authenticate(raw) == token

    page = client.get(reverse("accounts:profile")).content.decode()
    assert raw not in page
    assert f"{token.prefix}…" in page
    assert "ERP sync" in page
    assert AuditEntry.objects.filter(action="token", object_id=str(token.pk), detail="created").exists()


def test_create_with_expiry_date_and_htmx_fragment(client, api_user):
    client.force_login(api_user)
    day = timezone.localdate() + dt.timedelta(days=30)
    response = client.post(
        reverse("accounts:token_create"),
        {"token-name": "Report", "token-scopes": ["read"], "token-expires_at": day.isoformat()},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"data-raw-token" in response.content
    token = ApiToken.objects.get(user=api_user)
    assert timezone.localtime(token.expires_at).date() == day
    assert token.is_active


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"token-name": "", "token-scopes": ["read"]}, "name"),
        ({"token-name": "x"}, "scopes"),
        ({"token-name": "x", "token-scopes": ["read"], "token-expires_at": "2001-01-01"}, "expires_at"),
    ],
)
def test_bad_token_input_is_shown_beside_the_field(client, api_user, data, field):
    client.force_login(api_user)
    response = client.post(reverse("accounts:token_create"), data)
    assert response.status_code == 422
    assert f'data-field-error="{field}"' in response.content.decode()
    assert "data-raw-token" not in response.content.decode()
    assert not ApiToken.objects.exists()


def test_without_api_use_there_are_no_tokens(client, org):
    client.force_login(org.rep_a)
    assert 'id="api-tokens"' not in client.get(reverse("accounts:profile")).content.decode()
    response = client.post(reverse("accounts:token_create"), {"token-name": "x", "token-scopes": ["read"]})
    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_superuser_may_create_tokens(client, org):
    client.force_login(org.admin)
    response = client.post(reverse("accounts:token_create"), {"token-name": "admin", "token-scopes": ["read"]})
    assert response.status_code == 200
    assert ApiToken.objects.filter(user=org.admin).count() == 1


def test_revoke_own_token(client, api_user):
    token, raw = services.api_token_create(actor=api_user, name="old", scopes=["read"])
    client.force_login(api_user)
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert services.api_token_authenticate(raw) is None
    assert AuditEntry.objects.filter(action="token", object_id=str(token.pk), detail="revoked").exists()
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Revoked" in page


def test_someone_elses_token_does_not_exist(client, org, api_user):
    token, raw = services.api_token_create(actor=api_user, name="theirs", scopes=["read"])
    for intruder in (org.admin, org.rep_a):
        client.force_login(intruder)
        assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert services.api_token_authenticate(raw) == token
    client.force_login(org.admin)
    assert "theirs" not in client.get(reverse("accounts:profile")).content.decode()
