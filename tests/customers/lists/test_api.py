"""The list in the API: the list endpoint's filters, and bulk actions that respect the scope."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from guanxi.customers.models import Customer
from tests.conftest import login
from tests.factories import CustomerFactory
from tests.factories_lists import TagFactory

pytestmark = pytest.mark.django_db


def api_ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_list_filters_keep_their_names(client, org):
    company = CustomerFactory(owner=org.rep_a, kind=Customer.Kind.COMPANY, name="Acme")
    person = CustomerFactory(owner=org.rep_a, name="Li Lei")
    theirs = CustomerFactory(owner=org.rep_b, name="Acme Two", kind=Customer.Kind.COMPANY)
    login(client, org.director)
    url = reverse("api-1:customer_list")
    assert api_ids(client.get(url, {"kind": "company"})) == {company.pk, theirs.pk}
    assert api_ids(client.get(url, {"owner": str(org.rep_a.pk)})) == {company.pk, person.pk}
    assert api_ids(client.get(url, {"q": "acme", "sort": "name"})) == {company.pk, theirs.pk}
    assert client.get(url, {"sort": "nonsense"}).status_code == 422


def test_bulk_tag_skips_outside_the_scope(client, org):
    mine = CustomerFactory(owner=org.rep_a)
    theirs = CustomerFactory(owner=org.rep_b)
    vip = TagFactory(name="vip")
    login(client, org.rep_a)
    response = client.post(
        reverse("api-1:customer_bulk"),
        json.dumps({"action": "tag", "ids": [mine.pk, theirs.pk], "tags": [vip.pk]}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["changed"] == 1 and [s["id"] for s in body["skipped"]] == [theirs.pk] and body["job_id"] is None
    assert list(theirs.tags.all()) == [] and list(mine.tags.all()) == [vip]


def test_bulk_by_filters_and_bad_filters(client, org):
    a = CustomerFactory(owner=org.rep_a, city="Xiamen")
    CustomerFactory(owner=org.rep_a, city="Fuzhou")
    vip = TagFactory(name="vip")
    login(client, org.rep_a)
    url = reverse("api-1:customer_bulk")
    body = {"action": "tag", "tags": [vip.pk], "filters": {"city": "Xiamen"}}
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.json()["changed"] == 1 and list(a.tags.all()) == [vip]
    body["filters"] = {"created_from": "whenever"}
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 422 and "created_from" in json.dumps(response.json())


def test_bulk_delete_needs_the_permission_and_a_write_token(client, org):
    from tests.factories import RoleFactory, UserFactory

    editor = UserFactory(
        username="ed", roles=[RoleFactory(name="Ed", permissions=["customers.view", "customers.change"])]
    )
    customer = CustomerFactory(owner=editor)
    login(client, editor)
    response = client.post(
        reverse("api-1:customer_bulk"),
        json.dumps({"action": "delete", "ids": [customer.pk]}),
        content_type="application/json",
    )
    assert response.status_code == 403 and Customer.objects.filter(pk=customer.pk).exists()
