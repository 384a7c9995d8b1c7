"""Shared fixtures: an organisation with one persona per data scope, used across the suite."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from guanxi.accounts.models import DataScope, Department, User
from tests.factories import CustomerFactory, DepartmentFactory, RoleFactory, TeamFactory, UserFactory


@dataclass
class Org:
    hq: Department
    sales: Department
    east: Department
    service: Department
    admin: User  # superuser
    director: User  # role with scope "all"
    sales_head: User  # "department" scope over Sales (and East below it)
    lead: User  # "team" scope, leads team A
    rep_a: User  # "own" scope, team A, East
    rep_b: User  # "own" scope, team B, Sales
    agent: User  # "own" scope, Service department
    viewer: User  # may not see customers at all (no customers.view)

    def personas(self) -> dict[str, User]:
        return {
            "admin": self.admin,
            "director": self.director,
            "sales_head": self.sales_head,
            "lead": self.lead,
            "rep_a": self.rep_a,
            "rep_b": self.rep_b,
            "agent": self.agent,
        }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Argon2 is the production hasher (see test_settings); tests hash with MD5 so fixtures stay fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_by_default(settings) -> None:
    """Signed-out pages default to Simplified Chinese; tests read English unless they choose another language."""
    settings.LANGUAGE_CODE = "en"


def make_org() -> Org:
    hq = DepartmentFactory(name="HQ")
    sales = DepartmentFactory(name="Sales", parent=hq)
    east = DepartmentFactory(name="East", parent=sales)
    service = DepartmentFactory(name="Service", parent=hq)
    role_all = RoleFactory(name="Director", data_scopes={"customers": DataScope.ALL})
    role_dept = RoleFactory(name="Sales head", data_scopes={"customers": DataScope.DEPARTMENT})
    role_team = RoleFactory(name="Team lead", data_scopes={"customers": DataScope.TEAM})
    role_own = RoleFactory(name="Sales rep", data_scopes={"customers": DataScope.OWN})
    role_none = RoleFactory(name="Viewer", permissions=[], data_scopes={})
    org = Org(
        hq=hq,
        sales=sales,
        east=east,
        service=service,
        admin=UserFactory(username="admin", is_superuser=True, is_staff=True, department=hq),
        director=UserFactory(username="director", department=hq, roles=[role_all]),
        sales_head=UserFactory(username="sales_head", department=sales, roles=[role_dept]),
        lead=UserFactory(username="lead", department=east, roles=[role_team]),
        rep_a=UserFactory(username="rep_a", department=east, roles=[role_own]),
        rep_b=UserFactory(username="rep_b", department=sales, roles=[role_own]),
        agent=UserFactory(username="agent", department=service, roles=[role_own]),
        viewer=UserFactory(username="viewer", department=service, roles=[role_none]),
    )
    TeamFactory(name="Team A", department=east, leader=org.lead, members=[org.lead, org.rep_a])
    TeamFactory(name="Team B", department=sales, members=[org.rep_b])
    return org


@pytest.fixture
def org(db: None) -> Org:
    return make_org()


@pytest.fixture
def customers_by_owner(org: Org) -> dict[str, list]:
    """Two customers for each persona, plus two in the pool (no owner)."""
    out: dict[str, list] = {}
    for key, user in org.personas().items():
        out[key] = CustomerFactory.create_batch(2, owner=user, name=f"{key}-customer")
    out["pool"] = CustomerFactory.create_batch(2, owner=None, name="pool-customer")
    return out


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client
