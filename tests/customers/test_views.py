from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.audit.models import AuditEntry
from guanxi.customers.models import Customer
from tests.conftest import login
from tests.factories import CustomerFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def _queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["director", "sales_head", "lead", "rep_a"])
def test_list_query_count_does_not_grow_with_rows(client, org, persona):
    user = getattr(org, persona)
    login(client, user)
    client.get(reverse("core:home"))  # once-per-session work (the second-factor check) is not part of the list
    CustomerFactory.create_batch(3, owner=user)
    few = _queries(client, reverse("customers:list"), size=50)
    CustomerFactory.create_batch(40, owner=user)
    many = _queries(client, reverse("customers:list"), size=50)
    assert few == many
    # (an unfiltered all-scope view on PostgreSQL also asks the planner for the table size)
    assert many <= 14


def test_list_fragment_for_htmx_and_filters(client, org):
    login(client, org.rep_a)
    CustomerFactory(owner=org.rep_a, name="Alpha Ltd", kind=Customer.Kind.COMPANY)
    CustomerFactory(owner=org.rep_a, name="Beta")
    response = client.get(reverse("customers:list"), {"kind": "company"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body  # a fragment, not the page
    assert "Alpha Ltd" in body and "Beta" not in body
    response = client.get(reverse("customers:list"), {"q": "bet", "sort": "name"})
    assert "Beta" in response.content.decode() and "Alpha Ltd" not in response.content.decode()


def test_list_masks_personal_data(client, org):
    login(client, org.rep_a)
    CustomerFactory(owner=org.rep_a, phone="+8613812345678", email="zhang@example.com")
    body = client.get(reverse("customers:list")).content.decode()
    assert "138****5678" in body and "13812345678" not in body
    assert "z***@example.com" in body


def test_search_by_phone_in_any_format(client, org):
    login(client, org.rep_a)
    customer = CustomerFactory(owner=org.rep_a, phone="+8613812345678")
    body = client.get(reverse("customers:list"), {"q": "138-1234-5678"}).content.decode()
    assert f'data-customer-id="{customer.pk}"' in body


def test_empty_state_explains_what_to_do(client, org):
    login(client, org.rep_a)
    body = client.get(reverse("customers:list")).content.decode()
    assert "No customers yet." in body


def test_create_shows_field_errors_and_keeps_input(client, org):
    login(client, org.rep_a)
    response = client.post(
        reverse("customers:create"), {"kind": "person", "name": "李雷", "phone": "999", "email": "bad@"}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'data-field-error="phone"' in body and 'data-field-error="email"' in body
    assert 'value="李雷"' in body
    assert not Customer.objects.exists()


def test_create_then_edit(client, org):
    login(client, org.rep_a)
    response = client.post(reverse("customers:create"), {"kind": "person", "name": "李雷", "phone": "13912345678"})
    customer = Customer.objects.get()
    assert response.status_code == 302 and response["Location"] == customer.get_absolute_url()
    response = client.post(
        reverse("customers:edit", args=[customer.pk]),
        {"kind": "company", "name": "李雷贸易", "phone": "13912345678", "owner": org.rep_a.pk},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.kind, customer.name) == ("company", "李雷贸易")


def test_htmx_create_redirects_with_header(client, org):
    login(client, org.rep_a)
    response = client.post(reverse("customers:create"), {"kind": "person", "name": "韩梅梅"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == Customer.objects.get().get_absolute_url()


def test_reveal_needs_permission_and_is_audited(client, org):
    customer = CustomerFactory(owner=org.rep_a, phone="+8613812345678")
    no_reveal = UserFactory(
        username="noreveal",
        roles=[RoleFactory(name="no reveal", permissions=["customers.view"], data_scopes={"customers": "all"})],
    )
    login(client, no_reveal)
    assert client.post(reverse("customers:reveal", args=[customer.pk, "phone"])).status_code == 403
    login(client, org.rep_a)
    response = client.post(reverse("customers:reveal", args=[customer.pk, "phone"]))
    assert "+8613812345678" in response.content.decode()
    assert AuditEntry.objects.filter(action="reveal", object_id=str(customer.pk)).count() == 1
    assert client.post(reverse("customers:reveal", args=[customer.pk, "name"])).status_code == 400


def test_delete_is_audited(client, org):
    customer = CustomerFactory(owner=org.rep_a)
    login(client, org.rep_a)
    assert client.post(reverse("customers:delete", args=[customer.pk])).status_code == 302
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert AuditEntry.objects.filter(
        action="delete", object_type="customers.customer", object_id=str(customer.pk)
    ).exists()
