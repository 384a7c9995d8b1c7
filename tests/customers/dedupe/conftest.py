from __future__ import annotations

import pytest

from guanxi.accounts import scoping
from guanxi.accounts.models import DataScope
from tests.factories import RoleFactory


def grant_merge(*users) -> None:  # type: ignore[no-untyped-def]
    """Give `users` the merge permission (without widening their data scope)."""
    role = RoleFactory(name="Merger", permissions=["customers.merge"], data_scopes={"customers": DataScope.OWN})
    for user in users:
        user.roles.add(role)
        scoping.forget(user)


@pytest.fixture
def mergers(org):  # type: ignore[no-untyped-def]
    # The team lead's role keeps every customer permission except merging.
    for role in org.lead.roles.all():
        role.permissions = [p for p in role.permissions if p != "customers.merge"]
        role.save(update_fields=["permissions"])
    scoping.forget(org.lead)
    grant_merge(org.rep_a, org.sales_head, org.director, org.rep_b)
    return org
