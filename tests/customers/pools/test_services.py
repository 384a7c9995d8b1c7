"""Ownership services: assign, transfer, release, claim (with its limits), lock; pools and rules administration."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from guanxi.audit.models import AuditEntry
from guanxi.customers.models import Customer, OwnershipEvent, Pool
from guanxi.customers.pools import services
from guanxi.customers.pools.services import (
    PoolInput,
    PoolRuleInput,
    customer_assign,
    customer_claim,
    customer_lock,
    customer_release,
    customers_bulk_assign,
    customers_bulk_release,
)
from tests.factories import CustomerFactory
from tests.factories_pools import PoolFactory, PoolRuleFactory, backdate_events, pool_customer

pytestmark = pytest.mark.django_db


def _events(customer: Customer) -> list[tuple[str, int | None, int | None, int | None, str]]:
    return list(
        OwnershipEvent.objects.filter(customer=customer)
        .order_by("id")
        .values_list("kind", "from_user_id", "to_user_id", "actor_id", "reason")
    )


# --- assign and transfer ------------------------------------------------------------------------------------------
def test_assign_a_customer_without_owner_is_an_assign_event(org, pool):
    customer = pool_customer(pool)
    result = customer_assign(actor=org.director, customer=customer, owner=org.rep_a, reason="Knows them")
    assert result.owner == org.rep_a
    assert result.pool is None and result.owner_since is not None
    assert _events(customer) == [("assign", None, org.rep_a.pk, org.director.pk, "Knows them")]
    entry = AuditEntry.objects.get(object_type="customers.customer", object_id=str(customer.pk))
    assert entry.changes == {"owner": [None, org.rep_a.pk], "pool": [pool.pk, None]}
    assert entry.actor == org.director


def test_transfer_records_the_old_owner(org):
    customer = CustomerFactory(owner=org.rep_a)
    result = customer_assign(actor=org.lead, customer=customer, owner=org.lead)
    assert result.owner == org.lead and result.previous_owner == org.rep_a
    assert _events(customer) == [("transfer", org.rep_a.pk, org.lead.pk, org.lead.pk, "")]


def test_assign_only_to_owners_in_the_actors_scope(org):
    customer = CustomerFactory(owner=org.rep_a)
    with pytest.raises(ValidationError) as exc:
        customer_assign(actor=org.lead, customer=customer, owner=org.rep_b)
    assert "within your data scope" in exc.value.message_dict["owner"][0]
    customer.refresh_from_db()
    assert customer.owner == org.rep_a and not OwnershipEvent.objects.exists()


def test_assign_refuses_deactivated_owner_and_same_owner(org):
    customer = CustomerFactory(owner=org.rep_a)
    with pytest.raises(ValidationError) as exc:
        customer_assign(actor=org.director, customer=customer, owner=org.rep_a)
    assert "already owns" in exc.value.message_dict["owner"][0]
    org.rep_b.is_active = False
    org.rep_b.save()
    with pytest.raises(ValidationError) as exc:
        customer_assign(actor=org.director, customer=customer, owner=org.rep_b)
    assert "deactivated" in exc.value.message_dict["owner"][0]
    with pytest.raises(ValidationError) as exc:
        customer_assign(actor=org.director, customer=customer, owner=None)
    assert "owner" in exc.value.message_dict


def test_assign_outside_scope_is_404_and_without_permission_403(org):
    customer = CustomerFactory(owner=org.rep_b)
    with pytest.raises(Http404):
        customer_assign(actor=org.rep_a, customer=customer, owner=org.rep_a)
    with pytest.raises(PermissionDenied):
        customer_assign(actor=org.viewer, customer=customer, owner=org.rep_a)


def test_bulk_assign_reports_out_of_scope_and_already_owned(org):
    mine = CustomerFactory.create_batch(3, owner=org.rep_a)
    already = CustomerFactory(owner=org.lead)
    foreign = CustomerFactory(owner=org.rep_b)
    ids = [c.pk for c in mine] + [already.pk, foreign.pk, 999_999]
    result = customers_bulk_assign(actor=org.lead, ids=ids, owner=org.lead, reason="Rebalance")
    assert result.changed == 3
    skipped = dict(result.skipped)
    assert set(skipped) == {already.pk, foreign.pk, 999_999}
    assert "Already owned" in skipped[already.pk] and "scope" in skipped[foreign.pk]
    assert set(Customer.objects.filter(owner=org.lead).values_list("pk", flat=True)) == {c.pk for c in mine} | {
        already.pk
    }
    foreign.refresh_from_db()
    assert foreign.owner == org.rep_b
    kinds = set(OwnershipEvent.objects.values_list("customer_id", "kind", "reason"))
    assert kinds == {(c.pk, "transfer", "Rebalance") for c in mine}
    assert AuditEntry.objects.filter(object_type="customers.customer").count() == 3


# --- release ------------------------------------------------------------------------------------------------------
def test_release_to_the_default_pool(org, pool):
    customer = CustomerFactory(owner=org.rep_a, locked=True)
    result = customer_release(actor=org.rep_a, customer=customer, reason="  No budget  this year ")
    assert result.owner is None and result.pool == pool
    assert result.previous_owner == org.rep_a and result.released_at is not None
    assert result.locked is False and result.owner_since is None
    assert _events(customer) == [("release", org.rep_a.pk, None, org.rep_a.pk, "No budget this year")]
    event = OwnershipEvent.objects.get(customer=customer)
    assert event.pool == pool


def test_release_needs_a_reason_and_a_pool(org):
    customer = CustomerFactory(owner=org.rep_a)
    with pytest.raises(ValidationError) as exc:
        customer_release(actor=org.rep_a, customer=customer, reason=" ")
    assert set(exc.value.message_dict) == {"reason", "pool"}  # no default pool exists yet either
    customer.refresh_from_db()
    assert customer.owner == org.rep_a


def test_release_to_a_chosen_pool_and_not_twice(org, pool):
    other = PoolFactory(name="Dormant")
    customer = CustomerFactory(owner=org.rep_a)
    customer_release(actor=org.director, customer=customer, pool=other, reason="Dormant")
    customer.refresh_from_db()
    assert customer.pool == other
    with pytest.raises(ValidationError) as exc:
        customer_release(actor=org.director, customer=customer, reason="again")
    assert "already in the public pool" in exc.value.messages[0]


def test_bulk_release(org, pool):
    mine = CustomerFactory.create_batch(2, owner=org.rep_a)
    foreign = CustomerFactory(owner=org.rep_b)
    result = customers_bulk_release(actor=org.rep_a, ids=[c.pk for c in mine] + [foreign.pk], reason="Cleanup")
    assert result.changed == 2 and [pk for pk, _ in result.skipped] == [foreign.pk]
    assert Customer.objects.filter(pool=pool, owner__isnull=True).count() == 2
    with pytest.raises(ValidationError):
        customers_bulk_release(actor=org.rep_a, ids=[foreign.pk], reason="")


# --- claim --------------------------------------------------------------------------------------------------------
def test_claim_from_a_pool_the_user_belongs_to(org, pool):
    customer = pool_customer(pool)
    result = customer_claim(actor=org.rep_a, customer=customer)
    assert result.owner == org.rep_a and result.pool is None and result.owner_since is not None
    assert _events(customer) == [("claim", None, org.rep_a.pk, org.rep_a.pk, "")]
    assert OwnershipEvent.objects.get(customer=customer).pool == pool
    with pytest.raises(ValidationError) as exc:
        customer_claim(actor=org.rep_a, customer=customer)
    assert "already own" in exc.value.messages[0]


def test_claim_needs_membership(org, pool):
    other = PoolFactory(name="Service pool", member_departments=[org.service])
    customer = pool_customer(other)
    with pytest.raises(ValidationError) as exc:
        customer_claim(actor=org.director, customer=customer)  # sees it (scope all) but is no member
    assert "Only members of the pool" in exc.value.messages[0]
    with pytest.raises(Http404):
        customer_claim(actor=org.rep_a, customer=customer)  # does not even see it
    assert customer_claim(actor=org.agent, customer=customer).owner == org.agent


def test_pool_admin_may_claim(org, pool):
    customer = pool_customer(pool)
    assert customer_claim(actor=org.director, customer=customer).owner == org.director


def test_claim_refuses_owned_and_poolless_customers(org, pool):
    owned = CustomerFactory(owner=org.rep_b)
    with pytest.raises(ValidationError) as exc:
        customer_claim(actor=org.sales_head, customer=owned)
    assert "has an owner" in exc.value.messages[0]
    orphan = CustomerFactory(owner=None)
    with pytest.raises(ValidationError) as exc:
        customer_claim(actor=org.director, customer=orphan)
    assert "not in a public pool" in exc.value.messages[0]


def test_holding_limit(org, pool):
    pool.max_customers_per_user = 2
    pool.save()
    CustomerFactory.create_batch(2, owner=org.rep_a)
    customer = pool_customer(pool)
    with pytest.raises(ValidationError) as exc:
        customer_claim(actor=org.rep_a, customer=customer)
    assert "You already hold 2 customers" in exc.value.messages[0]
    assert customer_claim(actor=org.rep_b, customer=customer).owner == org.rep_b


def test_daily_claim_limit_counts_today_in_the_site_time_zone(org, pool):
    pool.max_claims_per_day = 2
    pool.save()
    first, second, third = (pool_customer(pool) for _ in range(3))
    customer_claim(actor=org.rep_a, customer=first)
    customer_claim(actor=org.rep_a, customer=second)
    with pytest.raises(ValidationError) as exc:
        customer_claim(actor=org.rep_a, customer=third)
    assert "daily limit" in exc.value.messages[0]
    # Yesterday's claims (before midnight in Shanghai, whatever the user's own time zone) do not count.
    midnight = services.day_start(services.site_today())
    backdate_events(OwnershipEvent.objects.filter(kind="claim"), midnight - dt.timedelta(minutes=1))
    assert customer_claim(actor=org.rep_a, customer=third).owner == org.rep_a


def test_daily_limit_zero_means_no_limit(org, pool):
    pool.max_claims_per_day = 0
    pool.save()
    for _ in range(3):
        customer_claim(actor=org.rep_a, customer=pool_customer(pool))
    assert Customer.objects.filter(owner=org.rep_a).count() == 3


def test_cooldown_for_the_previous_owner(org, pool):
    pool.reclaim_cooldown_days = 10
    pool.save()
    customer = CustomerFactory(owner=org.rep_a)
    customer_release(actor=org.rep_a, customer=customer, reason="Not now")
    with pytest.raises(ValidationError) as exc:
        customer_claim(actor=org.rep_a, customer=customer)
    assert "you may claim it back from" in exc.value.messages[0]
    Customer.objects.filter(pk=customer.pk).update(released_at=timezone.now() - dt.timedelta(days=10))
    assert customer_claim(actor=org.rep_a, customer=customer).owner == org.rep_a


def test_cooldown_does_not_stop_others(org, pool):
    customer = CustomerFactory(owner=org.rep_a)
    customer_release(actor=org.rep_a, customer=customer, reason="Not now")
    assert customer_claim(actor=org.rep_b, customer=customer).owner == org.rep_b


def test_a_stale_claim_loses(org, pool, monkeypatch):
    """The conditional UPDATE decides: a claim that read the customer before someone else took it changes nothing."""
    customer = pool_customer(pool)
    stale = Customer.objects.get(pk=customer.pk)
    Customer.objects.filter(pk=customer.pk).update(owner=org.rep_b, pool=None)
    monkeypatch.setattr(services.scoping, "get_scoped_or_404", lambda actor, queryset, **lookup: stale)
    with pytest.raises(ValidationError) as exc:
        customer_claim(actor=org.rep_a, customer=customer)
    assert "Someone else has just claimed" in exc.value.messages[0]
    customer.refresh_from_db()
    assert customer.owner == org.rep_b and not OwnershipEvent.objects.exists()


# --- lock ---------------------------------------------------------------------------------------------------------
def test_lock_and_unlock(org, manager):
    customer = CustomerFactory(owner=org.rep_a)
    assert customer_lock(actor=manager, customer=customer, locked=True).locked is True
    assert customer_lock(actor=manager, customer=customer, locked=False).locked is False
    details = list(
        AuditEntry.objects.filter(object_type="customers.customer", object_id=str(customer.pk))
        .order_by("id")
        .values_list("detail", flat=True)
    )
    assert details == ["lock", "unlock"]
    with pytest.raises(PermissionDenied):
        customer_lock(actor=org.rep_a, customer=customer, locked=True)


def test_lock_needs_an_owner(org, manager, pool):
    with pytest.raises(ValidationError):
        customer_lock(actor=manager, customer=pool_customer(pool), locked=True)


# --- pools and rules ----------------------------------------------------------------------------------------------
def test_pool_save_moves_the_default_mark(org, manager, pool):
    created = services.pool_save(
        actor=manager,
        data=PoolInput(name="Key accounts", is_default=True, members=[org.rep_a], admins=[org.lead]),
    )
    pool.refresh_from_db()
    assert created.is_default and not pool.is_default
    assert list(created.members.all()) == [org.rep_a] and list(created.admins.all()) == [org.lead]
    assert AuditEntry.objects.filter(object_type="customers.pool", action="create").count() == 1
    with pytest.raises(ValidationError) as exc:
        services.pool_save(actor=manager, data=PoolInput(name="key ACCOUNTS"))
    assert "already a pool" in exc.value.message_dict["name"][0]
    with pytest.raises(PermissionDenied):
        services.pool_save(actor=org.rep_a, data=PoolInput(name="Mine"))


def test_pool_with_customers_cannot_be_deleted(org, manager, pool):
    pool_customer(pool)
    with pytest.raises(ValidationError):
        services.pool_delete(actor=manager, pool=pool)
    empty = PoolFactory()
    services.pool_delete(actor=manager, pool=empty)
    assert not Pool.objects.filter(pk=empty.pk).exists()


def test_rule_validation(org, manager, pool):
    with pytest.raises(ValidationError) as exc:
        services.pool_rule_save(actor=manager, data=PoolRuleInput(pool=pool))
    assert "at least one threshold" in exc.value.message_dict["no_follow_up_days"][0]
    with pytest.raises(ValidationError) as exc:
        services.pool_rule_save(actor=manager, data=PoolRuleInput(pool=pool, no_follow_up_days=5, warn_days_before=5))
    assert "warn_days_before" in exc.value.message_dict
    rule = services.pool_rule_save(
        actor=manager, data=PoolRuleInput(pool=pool, value_tier="A", no_follow_up_days=60, warn_days_before=7)
    )
    assert rule.pk and rule.value_tier == "A"
    with pytest.raises(ValidationError) as exc:
        services.pool_rule_save(actor=manager, data=PoolRuleInput(pool=pool, value_tier="A", no_follow_up_days=10))
    assert "value_tier" in exc.value.message_dict
    # Changing the rule itself is no clash.
    services.pool_rule_save(
        actor=manager, data=PoolRuleInput(pool=pool, value_tier="A", no_follow_up_days=45), rule=rule
    )
    rule.refresh_from_db()
    assert rule.no_follow_up_days == 45
    PoolRuleFactory(pool=pool, value_tier="B")
    services.pool_rule_delete(actor=manager, rule=rule)
    assert AuditEntry.objects.filter(object_type="customers.poolrule", action="delete").count() == 1
