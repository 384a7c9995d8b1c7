"""Each admin list costs the same number of queries whatever the number of rows (no N+1)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.accounts.models import Role
from tests.factories import DepartmentFactory, RoleFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def _add_users(n: int) -> None:
    roles = list(Role.objects.all()[:2])
    department = DepartmentFactory()
    for _ in range(n):
        UserFactory(department=department, roles=roles)


def _add_departments(n: int) -> None:
    parent = DepartmentFactory()
    for _ in range(n):
        child = DepartmentFactory(parent=parent)
        UserFactory(department=child)
        parent = child


def _add_teams(n: int) -> None:
    department = DepartmentFactory()
    for _ in range(n):
        leader = UserFactory()
        TeamFactory(department=department, leader=leader, members=[leader, UserFactory()])


def _add_roles(n: int) -> None:
    for _ in range(n):
        role = RoleFactory()
        UserFactory(roles=[role])


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("name", "add"),
    [
        ("accounts:user_list", _add_users),
        ("accounts:department_list", _add_departments),
        ("accounts:team_list", _add_teams),
        ("accounts:role_list", _add_roles),
    ],
)
def test_admin_list_query_count_is_constant(
    client, org, django_assert_num_queries, name: str, add: Callable[[int], None]
):
    client.force_login(org.admin)
    url = reverse(name)
    _count(client, url)  # warm the session
    add(3)
    baseline = _count(client, url)
    add(12)
    with django_assert_num_queries(baseline):
        assert client.get(url).status_code == 200
