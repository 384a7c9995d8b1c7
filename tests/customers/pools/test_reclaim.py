"""The daily reclaim (自动回收): rules by value tier, locked customers exempt, warnings K days before, idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from guanxi.accounts.models import Notification
from guanxi.customers.models import Customer, OwnershipEvent
from guanxi.customers.pools import signals
from guanxi.customers.pools.services import WARNING_KIND, pools_reclaim_run, site_today
from guanxi.customers.pools.tasks import pools_reclaim
from tests.factories import CustomerFactory
from tests.factories_pools import PoolFactory, PoolRuleFactory, held_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule(pool):  # type: ignore[no-untyped-def]
    return PoolRuleFactory(pool=pool, no_follow_up_days=30, warn_days_before=3)


def _owner(customer: Customer) -> int | None:
    return Customer.objects.values_list("owner_id", flat=True).get(pk=customer.pk)


def test_customers_without_follow_up_go_back_to_the_rules_pool(org, pool, rule):
    due = held_customer(org.rep_a, idle_days=31)
    never = held_customer(org.rep_a, idle_days=40, followed_up=False)
    recent = held_customer(org.rep_a, idle_days=10)
    locked = held_customer(org.rep_b, idle_days=100, locked=True)

    summary = pools_reclaim_run()

    assert summary["reclaimed"] == 2 and summary["rules"] == {rule.pk: 2}
    for customer in (due, never):
        customer.refresh_from_db()
        assert customer.owner is None and customer.pool == pool and customer.previous_owner == org.rep_a
        event = OwnershipEvent.objects.get(customer=customer)
        assert (event.kind, event.actor, event.from_user, event.pool) == ("reclaim", None, org.rep_a, pool)
        assert str(rule) in event.reason and "30" in event.reason
    assert _owner(recent) == org.rep_a.pk and _owner(locked) == org.rep_b.pk


def test_the_threshold_day_counts_in_the_site_time_zone(org, pool, rule):
    today = site_today()
    edge = CustomerFactory(owner=org.rep_a, owner_since=timezone.now() - dt.timedelta(days=60))
    # Last follow-up at 23:59 Shanghai time, 30 days before today: due today, not a day later.
    late = dt.datetime.combine(
        today - dt.timedelta(days=30), dt.time(23, 59), tzinfo=dt.timezone(dt.timedelta(hours=8))
    )
    Customer.objects.filter(pk=edge.pk).update(last_follow_up_at=late)
    assert pools_reclaim_run(today=today - dt.timedelta(days=1))["reclaimed"] == 0
    assert pools_reclaim_run(today=today)["reclaimed"] == 1


def test_a_new_owner_gets_a_fresh_period(org, pool, rule):
    """Followed up long ago by the previous owner, handed over yesterday: not neglected by the new owner."""
    customer = CustomerFactory(
        owner=org.rep_b,
        owner_since=timezone.now() - dt.timedelta(days=1),
        last_follow_up_at=timezone.now() - dt.timedelta(days=200),
    )
    assert pools_reclaim_run()["reclaimed"] == 0
    assert _owner(customer) == org.rep_b.pk


def test_owners_are_warned_once_per_cycle(org, pool, rule):
    soon = held_customer(org.rep_a, idle_days=28, name="Soon Ltd")  # due in 2 days
    later = held_customer(org.rep_a, idle_days=20)  # due in 10 days: no warning yet

    first = pools_reclaim_run()

    assert first["warned"] == 1 and first["reclaimed"] == 0
    note = Notification.objects.get(user=org.rep_a, kind=WARNING_KIND)
    due_on = site_today() + dt.timedelta(days=2)
    assert "Soon Ltd" in note.title
    assert f"{due_on:%B}"[:3] in note.title and str(due_on.day) in note.title  # the date, in the owner's language
    assert note.url == soon.get_absolute_url()
    assert "30 days" in note.body
    # Same day again, or the next day: no second warning for the same cycle.
    assert pools_reclaim_run()["warned"] == 0
    assert pools_reclaim_run(today=site_today() + dt.timedelta(days=1))["warned"] == 0
    assert Notification.objects.filter(kind=WARNING_KIND).count() == 1
    # A follow-up starts a new cycle: 27 days later the owner is warned again (and `later`, never followed up, is due).
    Customer.objects.filter(pk=soon.pk).update(last_follow_up_at=timezone.now())
    summary = pools_reclaim_run(today=site_today() + dt.timedelta(days=27))
    assert (summary["warned"], summary["reclaimed"]) == (1, 1)
    assert Notification.objects.filter(kind=WARNING_KIND, url=soon.get_absolute_url()).count() == 2
    assert _owner(later) is None


def test_running_twice_changes_nothing_more(org, pool, rule):
    held_customer(org.rep_a, idle_days=45)
    assert pools_reclaim_run()["reclaimed"] == 1
    assert pools_reclaim_run()["reclaimed"] == 0
    assert OwnershipEvent.objects.filter(kind="reclaim").count() == 1


def test_rules_per_value_tier(org, pool):
    key_pool = PoolFactory(name="Key accounts pool")
    tier_a = PoolRuleFactory(pool=key_pool, value_tier="A", no_follow_up_days=10, warn_days_before=0)
    PoolRuleFactory(pool=pool, value_tier="", no_follow_up_days=30, warn_days_before=0)
    a_idle = held_customer(org.rep_a, idle_days=15, value_tier="A")
    b_idle = held_customer(org.rep_a, idle_days=15, value_tier="B")
    a_long = held_customer(org.rep_a, idle_days=40, value_tier="A")
    b_long = held_customer(org.rep_a, idle_days=40, value_tier="B")

    summary = pools_reclaim_run()

    assert summary["rules"][tier_a.pk] == 2
    pools = dict(Customer.objects.values_list("pk", "pool_id"))
    assert pools[a_idle.pk] == key_pool.pk and pools[a_long.pk] == key_pool.pk  # the tier's own rule, not the other
    assert pools[b_idle.pk] is None and pools[b_long.pk] == pool.pk


def test_inactive_rules_do_nothing(org, pool):
    PoolRuleFactory(pool=pool, no_follow_up_days=5, active=False)
    customer = held_customer(org.rep_a, idle_days=50)
    assert pools_reclaim_run()["reclaimed"] == 0
    assert _owner(customer) == org.rep_a.pk


def test_sales_signals_apply_only_when_provided(org, pool, monkeypatch):
    rule = PoolRuleFactory(pool=pool, no_follow_up_days=None, no_opportunity_days=20, warn_days_before=2)
    idle = held_customer(org.rep_a, idle_days=1, name="Idle Co")
    busy = held_customer(org.rep_a, idle_days=1, name="Busy Co")

    summary = pools_reclaim_run()
    assert summary["reclaimed"] == 0 and summary["signals_not_provided"] == [signals.NO_OPPORTUNITY]

    seen: list[int] = []

    def no_opportunity(qs, days):  # type: ignore[no-untyped-def]
        seen.append(days)
        return qs.filter(name__startswith="Idle") if days <= 20 else qs.none()

    monkeypatch.setitem(signals.reclaim_signals, signals.NO_OPPORTUNITY, no_opportunity)
    summary = pools_reclaim_run()
    assert summary["reclaimed"] == 1 and summary["signals_not_provided"] == []
    assert 20 in seen
    assert _owner(idle) is None and _owner(busy) == org.rep_a.pk
    assert "no opportunity for 20 days" in OwnershipEvent.objects.get(customer=idle).reason
    assert rule.pk in summary["rules"]


def test_signal_warnings_name_the_day(org, pool, monkeypatch):
    PoolRuleFactory(pool=pool, no_follow_up_days=None, not_won_days=60, warn_days_before=3)
    customer = held_customer(org.rep_a, idle_days=1, name="Slow deal")

    def not_won(qs, days):  # type: ignore[no-untyped-def]
        # "Slow deal" has had no won deal for 58 days: it meets every threshold up to 58.
        return qs.filter(pk=customer.pk) if days <= 58 else qs.none()

    monkeypatch.setitem(signals.reclaim_signals, signals.NOT_WON, not_won)
    summary = pools_reclaim_run()
    assert summary == {**summary, "reclaimed": 0, "warned": 1}
    note = Notification.objects.get(kind=WARNING_KIND)
    due_on = site_today() + dt.timedelta(days=2)
    assert str(due_on.day) in note.title and "no deal won for 60 days" in note.body


def test_the_daily_task_runs_the_service(org, pool, rule):
    held_customer(org.rep_a, idle_days=31)
    result = pools_reclaim.call_local()
    assert result["reclaimed"] == 1
