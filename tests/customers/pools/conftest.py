"""Fixtures of the public pool tests: the pools' registrations, and a default pool that Sales may claim from."""

from __future__ import annotations

import pytest

from guanxi.customers.models import Pool
from guanxi.customers.pools import setup
from tests.factories import RoleFactory
from tests.factories_pools import PoolFactory

# Until CustomersConfig.ready calls it, the tests register the pools' permissions, menu and timeline themselves.
setup.register()


@pytest.fixture
def pool(org) -> Pool:  # type: ignore[no-untyped-def]
    """The default pool; members: the Sales department (so sales_head, lead, rep_a and rep_b), admin: director."""
    return PoolFactory(name="Sales pool", is_default=True, member_departments=[org.sales], admins=[org.director])


@pytest.fixture
def manager(org):  # type: ignore[no-untyped-def]
    """A user whose role may manage pools and lock customers (scope: all)."""
    from tests.factories import UserFactory

    role = RoleFactory(
        name="Pool manager",
        permissions=["customers.view", "customers.change", "customers.manage_pools", "customers.lock"],
        data_scopes={"customers": "all"},
    )
    return UserFactory(username="pool_manager", department=org.hq, roles=[role])
