"""GET /api/v1/customers/duplicates: the same check as the form, with the same care outside the scope."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from guanxi.customers.models import Customer
from tests.conftest import login
from tests.factories_dedupe import KeyedCustomerFactory, PoolFactory

pytestmark = pytest.mark.django_db
URL = "api-1:customer_duplicates"


def test_matches_in_and_out_of_scope(client, org):
    mine = KeyedCustomerFactory(owner=org.rep_a, name="李雷", phone="+8613812345678")
    theirs = KeyedCustomerFactory(owner=org.rep_b, name="韩梅梅", phone="+8613912345678", email="hmm@example.com")
    login(client, org.rep_a)
    response = client.get(reverse(URL), {"phone": ["13812345678", "139-1234-5678"]})
    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == 2
    inside = next(i for i in items if i["in_scope"])
    outside = next(i for i in items if not i["in_scope"])
    assert inside["id"] == mine.pk and inside["name"] == "李雷" and inside["url"] == f"/customers/{mine.pk}/"
    assert outside == {
        "id": None,
        "name": None,
        "url": None,
        "in_scope": False,
        "owner": str(org.rep_b),
        "pool": None,
        "strength": 90,
        "reasons": [{"code": "phone", "label": "same phone number"}],
        "summary": f"a customer owned by {org.rep_b}: same phone number",
    }
    raw = json.dumps(response.json(), ensure_ascii=False)
    assert "李雷" in raw  # the check below can fail: names are readable here
    assert "韩梅梅" not in raw and "hmm@" not in raw and "1391234" not in raw and theirs.pk != mine.pk


def test_pool_company_name_and_nothing(client, org):
    KeyedCustomerFactory(
        owner=None, pool=PoolFactory(name="公海一"), kind=Customer.Kind.COMPANY, name="云帆物流有限公司"
    )
    login(client, org.rep_a)
    items = client.get(reverse(URL), {"kind": "company", "name": "云帆物流"}).json()["items"]
    assert len(items) == 1 and items[0]["pool"] == "公海一" and items[0]["reasons"][0]["code"] == "company_name"
    assert client.get(reverse(URL), {"name": "别的公司", "kind": "company"}).json() == {"items": []}


def test_needs_a_customer_permission(client, org):
    login(client, org.viewer)
    response = client.get(reverse(URL), {"name": "x"})
    assert response.status_code == 403
