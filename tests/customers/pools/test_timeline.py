"""Ownership events on the 360 timeline, the header actions, and the registrations of `pools.setup.register()`."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.accounts.permissions import PERMISSIONS
from guanxi.core.registry import registry
from guanxi.customers.models import OwnershipEvent
from guanxi.customers.pools import setup, timeline
from guanxi.customers.pools.services import customer_assign, customer_claim, customer_release
from tests.factories import CustomerFactory
from tests.factories_pools import pool_customer

pytestmark = pytest.mark.django_db


def test_ownership_entries_newest_first_in_one_query(org, pool):
    customer = pool_customer(pool)
    customer_claim(actor=org.rep_a, customer=customer)
    customer_release(actor=org.rep_a, customer=customer, reason="Wrong region")
    customer_assign(actor=org.director, customer=customer, owner=org.rep_b, reason="Region B")

    with CaptureQueriesContext(connection) as queries:
        entries = timeline.ownership_timeline(org.director, customer, None, None, 10)
    assert len(queries) == 1
    assert [e.title for e in entries] == [
        "Assigned to Rep_B",
        "Released by Rep_A to the pool “Sales pool”",
        "Claimed by Rep_A from the pool “Sales pool”",
    ]
    assert [e.body for e in entries] == ["Region B", "Wrong region", ""]
    assert entries[0].actor == "Director" and all(e.kind == "ownership" for e in entries)
    assert len({e.key for e in entries}) == 3

    assert timeline.ownership_timeline(org.director, customer, {"interaction"}, None, 10) == []
    older = timeline.ownership_timeline(org.director, customer, {"ownership"}, entries[0].at, 1)
    assert len(older) <= 1 and all(e.at < entries[0].at for e in older)


def test_reclaims_show_as_automatic(org, pool):
    customer = CustomerFactory(owner=org.rep_a)
    OwnershipEvent.objects.create(
        customer=customer, kind="reclaim", from_user=org.rep_a, pool=pool, actor=None, reason="Rule"
    )
    (entry,) = timeline.ownership_timeline(org.rep_a, customer, None, None, 5)
    assert entry.actor == "Automatic" and entry.title == "Reclaimed from Rep_A to the pool “Sales pool”"
    assert entry.body == "Rule" and entry.key == f"ownership:{entry.context['event'].pk}"


def test_header_actions_follow_permissions(org, pool, manager):
    owned = CustomerFactory(owner=org.rep_a)
    labels = [a["label"] for a in timeline.ownership_actions(SimpleNamespace(user=org.rep_a), owned)]
    assert labels == ["Release to pool", "Transfer"]
    waiting = pool_customer(pool)
    labels = [a["label"] for a in timeline.ownership_actions(SimpleNamespace(user=org.rep_a), waiting)]
    assert labels == ["Claim", "Assign"]
    labels = [a["label"] for a in timeline.ownership_actions(SimpleNamespace(user=manager), owned)]
    assert labels == ["Release to pool", "Transfer", "Lock"]
    assert all(a["hx"] for a in timeline.ownership_actions(SimpleNamespace(user=manager), owned))


def test_register_is_idempotent():
    setup.register()
    setup.register()
    assert registry.timeline_providers.count(timeline.ownership_timeline) == 1
    assert registry.customer_actions.count(timeline.ownership_actions) == 1
    assert registry.timeline_kinds["ownership"] == "Ownership"
    assert {"customers.manage_pools", "customers.lock"} <= set(PERMISSIONS)
    assert [m.url_name for m in registry.menu].count("customers:pool_list") == 1
