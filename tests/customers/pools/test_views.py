"""The public pool page, the ownership dialogs and the pool admin screens."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanxi.customers.models import Customer, OwnershipEvent, Pool, PoolRule
from tests.conftest import login
from tests.factories import CustomerFactory
from tests.factories_pools import PoolFactory, PoolRuleFactory, pool_customer

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def _ids(response) -> set[int]:  # type: ignore[no-untyped-def]
    import re

    return {int(i) for i in re.findall(r'data-customer-id="(\d+)"', response.content.decode())}


# --- the public pool page -----------------------------------------------------------------------------------------
def test_pool_page_lists_only_the_users_pools(client: Client, org, pool):
    service_pool = PoolFactory(name="Service pool", member_departments=[org.service])
    sales = [pool_customer(pool) for _ in range(2)]
    service = pool_customer(service_pool)
    CustomerFactory(owner=org.rep_a)  # owned: not in the pool
    CustomerFactory(owner=None)  # unowned but in no pool

    response = login(client, org.rep_a).get(reverse("customers:pool_list"))
    assert response.status_code == 200
    assert _ids(response) == {c.pk for c in sales}
    assert "2 customers waiting" in response.content.decode()

    # Even a director who sees every customer gets only the pools they belong to here.
    assert _ids(login(Client(), org.director).get(reverse("customers:pool_list"))) == {c.pk for c in sales}
    assert _ids(login(Client(), org.agent).get(reverse("customers:pool_list"))) == {service.pk}
    assert login(Client(), org.viewer).get(reverse("customers:pool_list")).status_code == 403


def test_pool_page_filters(client: Client, org, pool):
    other = PoolFactory(name="Second pool", members=[org.rep_a])
    shanghai = pool_customer(pool, city="上海", industry="retail", released_days_ago=2)
    beijing = pool_customer(pool, city="北京", industry="it", released_days_ago=20)
    second = pool_customer(other, city="上海", industry="it", released_days_ago=2)
    c = login(client, org.rep_a)
    url = reverse("customers:pool_list")
    assert _ids(c.get(url)) == {shanghai.pk, beijing.pk, second.pk}
    assert _ids(c.get(url, {"pool": other.pk})) == {second.pk}
    assert _ids(c.get(url, {"city": "上海"})) == {shanghai.pk, second.pk}
    assert _ids(c.get(url, {"industry": "it"})) == {beijing.pk, second.pk}
    week_ago = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    assert _ids(c.get(url, {"released_from": week_ago})) == {shanghai.pk, second.pk}
    assert _ids(c.get(url, {"released_to": week_ago})) == {beijing.pk}
    fragment = c.get(url, {"city": "上海"}, headers=HX)
    assert "<html" not in fragment.content.decode() and _ids(fragment) == {shanghai.pk, second.pk}


def test_pool_page_empty_states(client: Client, org, pool):
    assert (
        "You are not a member of any public pool"
        in login(client, org.agent).get(reverse("customers:pool_list")).content.decode()
    )
    assert "The pool is empty" in login(Client(), org.rep_a).get(reverse("customers:pool_list")).content.decode()


def test_pool_page_query_count_is_constant(client: Client, org, pool):
    second = PoolFactory(name="Second pool", members=[org.rep_a])
    c = login(client, org.rep_a)
    url = reverse("customers:pool_list")
    pool_customer(pool, previous_owner=org.rep_b)
    c.get(url)  # warm-up: the session's one-time checks
    with CaptureQueriesContext(connection) as few:
        assert c.get(url).status_code == 200
    for i in range(20):
        pool_customer(pool if i % 2 else second, previous_owner=org.rep_b if i % 3 else org.lead)
    with CaptureQueriesContext(connection) as many:
        response = c.get(url)
    assert len(_ids(response)) == 21
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# --- claim --------------------------------------------------------------------------------------------------------
def test_claim_button_in_a_row(client: Client, org, pool):
    customer = pool_customer(pool)
    c = login(client, org.rep_a)
    response = c.post(reverse("customers:claim", args=[customer.pk]), {"source": "row"}, headers=HX)
    assert response.status_code == 200
    assert f'data-claimed="{customer.pk}"' in response.content.decode()
    customer.refresh_from_db()
    assert customer.owner == org.rep_a


def test_claim_button_shows_why_a_limit_stops_it(client: Client, org, pool):
    pool.max_customers_per_user = 1
    pool.save()
    CustomerFactory(owner=org.rep_a)
    customer = pool_customer(pool)
    response = login(client, org.rep_a).post(
        reverse("customers:claim", args=[customer.pk]), {"source": "row"}, headers=HX
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert f'data-claim-error="{customer.pk}"' in body and "You already hold 1 customers" in body
    assert Customer.objects.get(pk=customer.pk).owner is None


def test_claiming_a_customer_someone_took_meanwhile(client: Client, org, pool):
    customer = pool_customer(pool)
    Customer.objects.filter(pk=customer.pk).update(owner=org.rep_b, pool=None)
    response = login(client, org.rep_a).post(
        reverse("customers:claim", args=[customer.pk]), {"source": "row"}, headers=HX
    )
    # rep_a no longer sees the customer: the row says it is gone, in the same words as for any unknown id.
    assert response.status_code == 422
    assert "no longer in the pool" in response.content.decode()
    assert Customer.objects.get(pk=customer.pk).owner == org.rep_b
    unknown = login(Client(), org.rep_a).post(reverse("customers:claim", args=[999_999]), {"source": "row"}, headers=HX)
    assert unknown.status_code == 422 and "no longer in the pool" in unknown.content.decode()
    # Without htmx (or from the dialog) an unknown or foreign customer is a plain 404.
    assert login(Client(), org.rep_a).post(reverse("customers:claim", args=[customer.pk])).status_code == 404


def test_claim_dialog_and_plain_post(client: Client, org, pool):
    customer = pool_customer(pool)
    c = login(client, org.rep_b)
    dialog = c.get(reverse("customers:claim", args=[customer.pk]), headers=HX)
    assert dialog.status_code == 200 and 'id="claim-form"' in dialog.content.decode()
    response = c.post(reverse("customers:claim", args=[customer.pk]))
    assert response.status_code == 302 and response["Location"] == customer.get_absolute_url()
    again = c.post(reverse("customers:claim", args=[customer.pk]), headers=HX)
    assert again.status_code == 422 and "You already own this customer" in again.content.decode()


# --- release, assign, lock dialogs --------------------------------------------------------------------------------
def test_release_dialog_requires_a_reason(client: Client, org, pool):
    customer = CustomerFactory(owner=org.rep_a)
    c = login(client, org.rep_a)
    url = reverse("customers:release", args=[customer.pk])
    page = c.get(url)
    assert page.status_code == 200 and "<html" in page.content.decode()
    fragment = c.get(url, headers=HX)
    assert 'id="release-form"' in fragment.content.decode() and "<html" not in fragment.content.decode()
    refused = c.post(url, {"reason": "  "}, headers=HX)
    assert refused.status_code == 422 and 'data-field-error="reason"' in refused.content.decode()
    assert Customer.objects.get(pk=customer.pk).owner == org.rep_a
    done = c.post(url, {"reason": "Moved abroad"}, headers=HX)
    assert done.status_code == 204
    # rep_a is a member of the pool, so the customer is still visible: back to it.
    assert done["HX-Redirect"] == customer.get_absolute_url()
    customer.refresh_from_db()
    assert customer.owner is None and customer.pool == pool


def test_release_by_a_non_member_goes_back_to_the_list(client: Client, org, pool):
    customer = CustomerFactory(owner=org.agent)
    response = login(client, org.agent).post(reverse("customers:release", args=[customer.pk]), {"reason": "Bye"})
    assert response.status_code == 302 and response["Location"] == reverse("customers:list")


def test_assign_dialog(client: Client, org):
    customer = CustomerFactory(owner=org.rep_a)
    c = login(client, org.lead)
    url = reverse("customers:assign", args=[customer.pk])
    assert "Transfer" in c.get(url).content.decode()
    refused = c.post(url, {"owner": org.rep_b.pk}, headers=HX)  # rep_b is not in lead's team: not a choice
    assert refused.status_code == 422 and 'data-field-error="owner"' in refused.content.decode()
    response = c.post(url, {"owner": org.lead.pk, "reason": "Key account"})
    assert response.status_code == 302
    event = OwnershipEvent.objects.get(customer=customer)
    assert (event.kind, event.to_user, event.reason) == ("transfer", org.lead, "Key account")


def test_lock_needs_the_permission(client: Client, org, manager):
    customer = CustomerFactory(owner=org.rep_a)
    url = reverse("customers:lock", args=[customer.pk])
    assert login(client, org.rep_a).post(url, {"locked": "1"}).status_code == 403
    c = login(Client(), manager)
    assert "never reclaimed" in c.get(url).content.decode()
    assert c.post(url, {"locked": "1"}).status_code == 302
    assert Customer.objects.get(pk=customer.pk).locked is True
    assert c.post(url, {"locked": "0"}).status_code == 302
    assert Customer.objects.get(pk=customer.pk).locked is False


def test_dialogs_answer_404_outside_the_scope(client: Client, org):
    customer = CustomerFactory(owner=org.rep_b)
    c = login(client, org.rep_a)
    for name in ("claim", "release", "assign", "lock"):
        assert c.get(reverse(f"customers:{name}", args=[customer.pk])).status_code == 404
        assert c.post(reverse(f"customers:{name}", args=[customer.pk]), {"reason": "x"}).status_code == 404


# --- pool administration ------------------------------------------------------------------------------------------
def test_pool_admin_pages_need_the_permission(client: Client, org, pool):
    c = login(client, org.rep_a)
    assert c.get(reverse("customers:pool_admin_list")).status_code == 403
    assert c.get(reverse("customers:pool_edit", args=[pool.pk])).status_code == 403
    assert c.post(reverse("customers:pool_create"), {"name": "X"}).status_code == 403


def test_pool_admin_crud(client: Client, org, manager, pool):
    c = login(client, manager)
    pool_customer(pool)
    listing = c.get(reverse("customers:pool_admin_list"))
    assert listing.status_code == 200 and "Sales pool" in listing.content.decode()

    numbers = {"max_customers_per_user": 0, "max_claims_per_day": 20, "reclaim_cooldown_days": 30}
    refused = c.post(reverse("customers:pool_create"), {"name": " ", **numbers}, headers=HX)
    assert refused.status_code == 422 and 'data-field-error="name"' in refused.content.decode()
    created = c.post(
        reverse("customers:pool_create"),
        {
            "name": "Key accounts",
            "members": [org.rep_a.pk],
            "member_departments": [org.east.pk],
            "admins": [org.lead.pk],
            "max_customers_per_user": 50,
            "max_claims_per_day": 5,
            "reclaim_cooldown_days": 14,
        },
    )
    key = Pool.objects.get(name="Key accounts")
    assert created.status_code == 302 and created["Location"] == reverse("customers:pool_edit", args=[key.pk])
    assert (key.max_customers_per_user, key.max_claims_per_day, key.reclaim_cooldown_days) == (50, 5, 14)
    assert list(key.member_departments.all()) == [org.east] and list(key.admins.all()) == [org.lead]

    edit_url = reverse("customers:pool_edit", args=[key.pk])
    form = c.get(edit_url).content.decode()
    assert 'value="Key accounts"' in form and "No reclaim rules" in form
    rule_url = reverse("customers:pool_rule_create", args=[key.pk])
    bad = c.post(rule_url, {"no_follow_up_days": 5, "warn_days_before": 7}, headers=HX)
    assert bad.status_code == 422 and 'data-field-error="warn_days_before"' in bad.content.decode()
    good = c.post(rule_url, {"value_tier": "A", "no_follow_up_days": 60, "warn_days_before": 7, "active": "on"})
    assert good.status_code == 302
    rule = PoolRule.objects.get(pool=key)
    assert (rule.value_tier, rule.no_follow_up_days, rule.warn_days_before, rule.active) == ("A", 60, 7, True)
    assert f'data-rule-id="{rule.pk}"' in c.get(edit_url).content.decode()
    c.post(
        reverse("customers:pool_rule_edit", args=[rule.pk]),
        {"value_tier": "A", "no_follow_up_days": 90, "warn_days_before": 7},
    )
    rule.refresh_from_db()
    assert rule.no_follow_up_days == 90 and rule.active is False
    assert c.post(reverse("customers:pool_rule_delete", args=[rule.pk])).status_code == 302
    assert not PoolRule.objects.filter(pk=rule.pk).exists()

    blocked = c.post(reverse("customers:pool_delete", args=[pool.pk]), follow=True)
    assert "still holds 1 customers" in blocked.content.decode()
    assert c.post(reverse("customers:pool_delete", args=[key.pk])).status_code == 302
    assert not Pool.objects.filter(pk=key.pk).exists()


def test_rules_are_listed_on_the_pool(client: Client, org, manager, pool):
    PoolRuleFactory(pool=pool, value_tier="", no_follow_up_days=30, warn_days_before=3)
    body = login(client, manager).get(reverse("customers:pool_edit", args=[pool.pk])).content.decode()
    assert "No follow-up for 30 days" in body and "Every value tier" in body
