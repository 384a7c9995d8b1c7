"""Factories for the public pools: pools, reclaim rules and customers waiting in a pool."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from guanxi.customers.models import Customer, OwnershipEvent, Pool, PoolRule
from tests.factories import CustomerFactory


class PoolFactory(DjangoModelFactory):
    class Meta:
        model = Pool
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Pool {n}")
    max_claims_per_day = 20
    max_customers_per_user = 0
    reclaim_cooldown_days = 30

    @factory.post_generation
    def members(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.members.set(extracted)

    @factory.post_generation
    def member_departments(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.member_departments.set(extracted)

    @factory.post_generation
    def admins(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.admins.set(extracted)


class PoolRuleFactory(DjangoModelFactory):
    class Meta:
        model = PoolRule

    pool = factory.SubFactory(PoolFactory)
    value_tier = ""
    no_follow_up_days = 30
    warn_days_before = 3
    active = True


def pool_customer(pool: Pool, *, released_days_ago: int = 1, previous_owner: Any = None, **kwargs: Any) -> Customer:
    """A customer waiting in `pool`, released `released_days_ago` days ago (by `previous_owner`, if given)."""
    return CustomerFactory(
        owner=None,
        pool=pool,
        previous_owner=previous_owner,
        released_at=timezone.now() - dt.timedelta(days=released_days_ago),
        **kwargs,
    )


def held_customer(owner: Any, *, idle_days: int, followed_up: bool = True, **kwargs: Any) -> Customer:
    """A customer held by `owner` whose last follow-up (or, without one, its hand-over) was `idle_days` ago."""
    at = timezone.now() - dt.timedelta(days=idle_days)
    since = at if not followed_up else at - dt.timedelta(days=1)
    return CustomerFactory(owner=owner, owner_since=since, last_follow_up_at=at if followed_up else None, **kwargs)


def backdate_events(events: Any, when: dt.datetime) -> None:
    OwnershipEvent.objects.filter(pk__in=[e.pk for e in events]).update(at=when)
