"""Ownership and pools in the REST API: the same services, scoped, 422 with field names, 404 outside the scope."""

from __future__ import annotations

import pytest

from guanxi.customers.models import Customer, OwnershipEvent
from tests.api.helpers import api_as, assert_error
from tests.factories import CustomerFactory
from tests.factories_pools import PoolFactory, pool_customer

pytestmark = pytest.mark.django_db


def test_pools_and_pool_customers(org, pool):
    other = PoolFactory(name="Service pool", member_departments=[org.service])
    waiting = pool_customer(pool, city="杭州")
    pool_customer(other)
    api = api_as(org.rep_a)
    pools = api.get("/customers/pools").json()
    assert [p["name"] for p in pools] == ["Sales pool"]
    assert pools[0]["is_default"] is True
    page = api.get("/customers/pools/customers").json()
    assert [c["id"] for c in page["items"]] == [waiting.pk]
    assert page["items"][0]["pool"] == {"id": pool.pk, "name": "Sales pool"}
    assert api.get("/customers/pools/customers", {"city": "北京"}).json()["items"] == []


def test_claim_release_assign_lock(org, pool, manager):
    customer = pool_customer(pool)
    rep = api_as(org.rep_a)
    claimed = rep.post(f"/customers/{customer.pk}/claim")
    assert claimed.status_code == 200, claimed.content
    body = claimed.json()
    assert body["owner"]["id"] == org.rep_a.pk and body["pool"] is None and body["owner_since"]

    error = assert_error(rep.post(f"/customers/{customer.pk}/release", {"reason": ""}), 422, "validation_error")
    assert "reason" in error["fields"]
    released = rep.post(f"/customers/{customer.pk}/release", {"reason": "Wrong region"})
    assert released.status_code == 200 and released.json()["pool"]["id"] == pool.pk

    boss = api_as(org.director)
    assigned = boss.post(f"/customers/{customer.pk}/assign", {"owner": org.rep_b.pk, "reason": "Region B"})
    assert assigned.status_code == 200 and assigned.json()["owner"]["id"] == org.rep_b.pk
    assert_error(boss.post(f"/customers/{customer.pk}/assign", {"owner": 999_999}), 422, "validation_error")

    assert_error(rep.post(f"/customers/{customer.pk}/lock", {"locked": True}), 404, "not_found")
    assert_error(api_as(org.rep_b).post(f"/customers/{customer.pk}/lock", {"locked": True}), 403, "forbidden")
    locked = api_as(manager).post(f"/customers/{customer.pk}/lock", {"locked": True})
    assert locked.status_code == 200 and locked.json()["locked"] is True

    kinds = list(OwnershipEvent.objects.filter(customer=customer).order_by("id").values_list("kind", flat=True))
    assert kinds == ["claim", "release", "assign"]


def test_claim_limit_is_a_422_with_the_reason(org, pool):
    pool.max_claims_per_day = 1
    pool.save()
    first, second = pool_customer(pool), pool_customer(pool)
    api = api_as(org.rep_b)
    assert api.post(f"/customers/{first.pk}/claim").status_code == 200
    error = assert_error(api.post(f"/customers/{second.pk}/claim"), 422, "validation_error")
    assert "daily limit" in error["message"]


def test_out_of_scope_is_404_and_read_only_tokens_may_not_write(org, pool):
    foreign = CustomerFactory(owner=org.rep_b)
    api = api_as(org.rep_a)
    for action, body in (("claim", {}), ("release", {"reason": "x"}), ("assign", {"owner": org.rep_a.pk})):
        assert_error(api.post(f"/customers/{foreign.pk}/{action}", body), 404, "not_found")
    assert Customer.objects.get(pk=foreign.pk).owner == org.rep_b
    read_only = api_as(org.rep_a, scopes=("read",))
    assert_error(read_only.post(f"/customers/{pool_customer(pool).pk}/claim"), 403, "forbidden")


def test_bulk_endpoints_report_skipped_ids(org, pool):
    mine = CustomerFactory.create_batch(2, owner=org.rep_a)
    foreign = CustomerFactory(owner=org.rep_b)
    api = api_as(org.lead)
    result = api.post(
        "/customers/bulk/assign", {"ids": [c.pk for c in mine] + [foreign.pk], "owner": org.lead.pk}
    ).json()
    assert result["changed"] == 2 and [s["id"] for s in result["skipped"]] == [foreign.pk]
    released = api.post("/customers/bulk/release", {"ids": [c.pk for c in mine], "reason": "Quarter end"}).json()
    assert released == {"changed": 2, "skipped": []}
    assert Customer.objects.filter(pool=pool, owner__isnull=True).count() == 2
    assert_error(api.post("/customers/bulk/release", {"ids": [mine[0].pk], "reason": ""}), 422, "validation_error")
