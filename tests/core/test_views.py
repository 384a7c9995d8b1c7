from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import login
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_dashboard_counts_my_customers(client, org):
    CustomerFactory.create_batch(3, owner=org.rep_a)
    CustomerFactory.create_batch(2, owner=org.rep_b)
    login(client, org.rep_a)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    assert response.context["cards"][0]["value"] == 3


def test_navigation_shows_only_what_the_role_may_use(client, org):
    login(client, org.rep_a)
    body = client.get(reverse("core:home")).content.decode()
    assert reverse("customers:list") in body
    assert reverse("audit:log") not in body
    login(client, org.admin)
    assert reverse("audit:log") in client.get(reverse("core:home")).content.decode()


def test_global_search_fragment_for_htmx(client, org):
    CustomerFactory(owner=org.rep_a, name="上海星辰科技有限公司")
    login(client, org.rep_a)
    response = client.get(reverse("core:search"), {"q": "星辰"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert "上海星辰科技有限公司" in body


def test_friendly_404_in_the_user_language(client, org):
    org.rep_a.language = "en"
    org.rep_a.save()
    login(client, org.rep_a)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "This page does not exist." in response.content.decode()


def test_friendly_403(client, org):
    login(client, org.viewer)
    response = client.get(reverse("customers:list"))
    assert response.status_code == 403
    assert "You are not allowed to do this." in response.content.decode()


def test_anonymous_htmx_request_gets_a_redirect_header(client):
    response = client.get(reverse("customers:list"), HTTP_HX_REQUEST="true")
    assert response.status_code == 401
    assert response["HX-Redirect"] == reverse("accounts:login")


def test_healthz_is_public(client):
    assert client.get(reverse("core:healthz")).json() == {"status": "ok"}


def test_pages_carry_the_csrf_token_for_htmx(client, org):
    login(client, org.rep_a)
    body = client.get(reverse("customers:list")).content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in body
