from __future__ import annotations

import re

import pytest
from django.urls import reverse

from guanxi.accounts.models import Department, Role, Team, User
from guanxi.audit.models import AuditEntry
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST_AND_CREATE = [
    "accounts:user_list",
    "accounts:user_create",
    "accounts:department_list",
    "accounts:department_create",
    "accounts:team_list",
    "accounts:team_create",
    "accounts:role_list",
    "accounts:role_create",
]


def _edit_urls(org) -> list[str]:
    team = Team.objects.get(name="Team A")
    role = Role.objects.get(name="Sales rep")
    return [
        reverse("accounts:user_edit", args=[org.rep_a.pk]),
        reverse("accounts:department_edit", args=[org.sales.pk]),
        reverse("accounts:team_edit", args=[team.pk]),
        reverse("accounts:role_edit", args=[role.pk]),
    ]


@pytest.mark.parametrize("name", LIST_AND_CREATE)
@pytest.mark.parametrize(("persona", "status"), [("admin", 200), ("manager", 200), ("director", 403), ("rep_a", 403)])
def test_admin_pages_need_accounts_manage(client, org, manager, name, persona, status):
    user = manager if persona == "manager" else getattr(org, persona)
    client.force_login(user)
    assert client.get(reverse(name)).status_code == status


@pytest.mark.parametrize(("persona", "status"), [("admin", 200), ("director", 403)])
def test_edit_pages_need_accounts_manage(client, org, persona, status):
    client.force_login(getattr(org, persona))
    for url in _edit_urls(org):
        assert client.get(url).status_code == status, url


def test_post_actions_need_accounts_manage(client, org):
    empty = DepartmentFactory(name="Empty", parent=org.hq)
    client.force_login(org.director)
    assert client.post(reverse("accounts:user_toggle_active", args=[org.rep_a.pk])).status_code == 403
    assert client.post(reverse("accounts:department_delete", args=[empty.pk])).status_code == 403
    assert (
        client.post(
            reverse("accounts:user_create"), {"username": "x", "language": "en", "timezone": "Asia/Shanghai"}
        ).status_code
        == 403
    )
    org.rep_a.refresh_from_db()
    assert org.rep_a.is_active
    assert Department.objects.filter(pk=empty.pk).exists()
    assert not User.objects.filter(username="x").exists()


def test_post_actions_refuse_get(admin_client, org):
    assert admin_client.get(reverse("accounts:user_toggle_active", args=[org.rep_a.pk])).status_code == 405
    assert admin_client.get(reverse("accounts:department_delete", args=[org.east.pk])).status_code == 405


def test_missing_objects_are_404(admin_client):
    for name in ("accounts:user_edit", "accounts:department_edit", "accounts:team_edit", "accounts:role_edit"):
        assert admin_client.get(reverse(name, args=[999999])).status_code == 404


def test_admin_menu_shows_only_to_managers(client, org):
    client.force_login(org.admin)
    page = client.get(reverse("core:home")).content.decode()
    for name in ("accounts:user_list", "accounts:department_list", "accounts:team_list", "accounts:role_list"):
        assert f'href="{reverse(name)}"' in page
    client.force_login(org.director)
    page = client.get(reverse("core:home")).content.decode()
    assert f'href="{reverse("accounts:user_list")}"' not in page


# --- users ------------------------------------------------------------------------------------------------------------
def _user_post(**overrides):
    data = {
        "username": "wang.wei",
        "display_name": "王伟",
        "email": "wang.wei@example.com",
        "phone": "13812345678",
        "department": "",
        "language": "zh-hans",
        "timezone": "Asia/Shanghai",
        "is_active": "on",
        "password": "",
    }
    data.update(overrides)
    return data


def test_user_create_and_edit_round_trip(admin_client, org):
    rep = Role.objects.get(name="Sales rep")
    head = Role.objects.get(name="Sales head")
    response = admin_client.post(
        reverse("accounts:user_create"),
        _user_post(department=str(org.east.pk), roles=[str(rep.pk)], password="plum-blossom-2024"),
    )
    assert response.status_code == 302
    user = User.objects.get(username="wang.wei")
    assert user.display_name == "王伟"
    assert user.department == org.east
    assert list(user.roles.all()) == [rep]
    assert user.check_password("plum-blossom-2024")
    assert AuditEntry.objects.filter(action="create", object_type="accounts.user", object_id=str(user.pk)).exists()

    page = admin_client.get(reverse("accounts:user_edit", args=[user.pk])).content.decode()
    assert 'value="wang.wei"' in page
    assert re.search(rf'value="{rep.pk}"[^>]*checked', page)

    response = admin_client.post(
        reverse("accounts:user_edit", args=[user.pk]),
        _user_post(display_name="王伟 (East)", department=str(org.sales.pk), roles=[str(head.pk)], language="en"),
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.display_name == "王伟 (East)"
    assert user.department == org.sales
    assert user.language == "en"
    assert list(user.roles.all()) == [head]
    assert user.check_password("plum-blossom-2024")  # empty password field keeps the old one


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"username": "rep_a"}, "username", "already exists"),
        ({"email": "wang.wei@"}, "email", "valid email"),
        ({"password": "password"}, "password", "too common"),
        ({"password": "12345678"}, "password", "entirely numeric"),
        ({"password": "abc"}, "password", "too short"),
    ],
)
def test_user_form_shows_errors_beside_the_field_and_keeps_input(admin_client, org, overrides, field, message):
    before = User.objects.count()
    response = admin_client.post(reverse("accounts:user_create"), _user_post(display_name="Typed Name", **overrides))
    assert response.status_code == 422
    page = response.content.decode()
    errors = re.findall(rf'data-field-error="{field}">([^<]*)<', page)
    assert any(message in e for e in errors), errors
    assert 'value="Typed Name"' in page
    assert User.objects.count() == before


def test_htmx_form_answers_with_a_fragment_or_a_redirect(admin_client, org):
    bad = admin_client.post(reverse("accounts:user_create"), _user_post(username="rep_a"), HTTP_HX_REQUEST="true")
    assert bad.status_code == 422
    assert b"<html" not in bad.content
    assert b'id="user-form"' in bad.content
    good = admin_client.post(reverse("accounts:user_create"), _user_post(), HTTP_HX_REQUEST="true")
    assert good.status_code == 204
    assert good["HX-Redirect"] == reverse("accounts:user_list")


def test_manager_cannot_make_a_superuser_or_edit_one(client, org, manager):
    client.force_login(manager)
    page = client.get(reverse("accounts:user_create")).content.decode()
    assert re.search(r'<input[^>]*name="is_superuser"[^>]*disabled', page)
    response = client.post(reverse("accounts:user_create"), _user_post(is_superuser="on"))
    assert response.status_code == 302
    assert User.objects.get(username="wang.wei").is_superuser is False  # the disabled field is ignored
    response = client.post(reverse("accounts:user_edit", args=[org.admin.pk]), _user_post(username="admin"))
    assert response.status_code == 403


def test_deactivate_and_reactivate(admin_client, org):
    url = reverse("accounts:user_toggle_active", args=[org.rep_a.pk])
    assert admin_client.post(url).status_code == 302
    org.rep_a.refresh_from_db()
    assert not org.rep_a.is_active
    assert admin_client.post(url).status_code == 302
    org.rep_a.refresh_from_db()
    assert org.rep_a.is_active
    # Still there: accounts are never deleted.
    assert User.objects.filter(pk=org.rep_a.pk).exists()


def test_cannot_deactivate_yourself(admin_client, org):
    response = admin_client.post(reverse("accounts:user_toggle_active", args=[org.admin.pk]), follow=True)
    org.admin.refresh_from_db()
    assert org.admin.is_active
    assert "cannot deactivate your own account" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "rep_"}, {"rep_a", "rep_b"}),
        ({"q": "SALES_HEAD@example"}, {"sales_head"}),
        ({"q": "Lead"}, {"lead"}),
        ({"active": "no"}, {"gone"}),
    ],
)
def test_user_list_search_and_filters(admin_client, org, params, expected):
    UserFactory(username="gone", is_active=False)
    page = admin_client.get(reverse("accounts:user_list"), params).content.decode()
    shown = set(re.findall(r'data-user-id="\d+">\s*<td[^>]*><a [^>]*>([^<]+)</a>', page))
    assert shown == expected


def test_user_list_filters_by_department_subtree_and_role(admin_client, org):
    page = admin_client.get(reverse("accounts:user_list"), {"department": org.sales.pk}).content.decode()
    shown = set(re.findall(r'data-user-id="\d+">\s*<td[^>]*><a [^>]*>([^<]+)</a>', page))
    assert shown == {"sales_head", "rep_b", "lead", "rep_a"}  # Sales and East below it
    role = Role.objects.get(name="Sales rep")
    page = admin_client.get(reverse("accounts:user_list"), {"role": role.pk}).content.decode()
    shown = set(re.findall(r'data-user-id="\d+">\s*<td[^>]*><a [^>]*>([^<]+)</a>', page))
    assert shown == {"rep_a", "rep_b", "agent"}


def test_user_list_htmx_returns_the_table_only(admin_client, org):
    response = admin_client.get(reverse("accounts:user_list"), {"q": "rep"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'id="result-count"' in response.content


def test_user_list_paginates(admin_client, org):
    UserFactory.create_batch(30)
    page1 = admin_client.get(reverse("accounts:user_list")).content.decode()
    assert page1.count("data-user-id=") == 25
    page2 = admin_client.get(reverse("accounts:user_list"), {"page": 2}).content.decode()
    assert page2.count("data-user-id=") == User.objects.count() - 25


# --- departments ------------------------------------------------------------------------------------------------------
def test_department_tree_is_listed_in_order_with_depth(admin_client, org):
    page = admin_client.get(reverse("accounts:department_list")).content.decode()
    rows = re.findall(r'data-department-id="(\d+)" data-depth="(\d+)"', page)
    assert rows == [
        (str(org.hq.pk), "0"),
        (str(org.sales.pk), "1"),
        (str(org.east.pk), "2"),
        (str(org.service.pk), "1"),
    ]


def test_department_create_edit_move_and_delete(admin_client, org):
    response = admin_client.post(reverse("accounts:department_create"), {"name": "North", "parent": org.sales.pk})
    assert response.status_code == 302
    north = Department.objects.get(name="North")
    assert north.path == f"{org.sales.path}{north.pk}/"

    response = admin_client.post(
        reverse("accounts:department_edit", args=[north.pk]), {"name": "North China", "parent": org.service.pk}
    )
    assert response.status_code == 302
    north.refresh_from_db()
    assert north.name == "North China"
    assert north.path == f"{org.service.path}{north.pk}/"

    assert admin_client.post(reverse("accounts:department_delete", args=[north.pk])).status_code == 302
    assert not Department.objects.filter(pk=north.pk).exists()


def test_department_errors_are_shown(admin_client, org):
    response = admin_client.post(reverse("accounts:department_create"), {"name": "Sales", "parent": org.hq.pk})
    assert response.status_code == 422
    assert "already exists" in response.content.decode()
    # The edit form offers no descendant as new parent; posting one anyway is refused.
    page = admin_client.get(reverse("accounts:department_edit", args=[org.sales.pk])).content.decode()
    assert f'<option value="{org.east.pk}"' not in page
    assert f'<option value="{org.service.pk}"' in page
    response = admin_client.post(
        reverse("accounts:department_edit", args=[org.sales.pk]), {"name": "Sales", "parent": org.east.pk}
    )
    assert response.status_code == 422
    assert 'data-field-error="parent"' in response.content.decode()


def test_non_empty_department_is_not_deleted(admin_client, org):
    response = admin_client.post(reverse("accounts:department_delete", args=[org.east.pk]), follow=True)
    assert Department.objects.filter(pk=org.east.pk).exists()
    assert "Only an empty department" in response.content.decode()


# --- teams ------------------------------------------------------------------------------------------------------------
def test_team_create_edit_round_trip_and_member_count(admin_client, org):
    response = admin_client.post(
        reverse("accounts:team_create"),
        {"name": "Team C", "department": org.service.pk, "leader": org.agent.pk, "members": [org.viewer.pk]},
    )
    assert response.status_code == 302
    team = Team.objects.get(name="Team C")
    assert team.department == org.service
    assert set(team.members.all()) == {org.agent, org.viewer}

    response = admin_client.post(
        reverse("accounts:team_edit", args=[team.pk]),
        {"name": "Team C2", "department": "", "leader": "", "members": [org.viewer.pk, org.rep_b.pk, org.lead.pk]},
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.name == "Team C2"
    assert team.department is None
    assert set(team.members.all()) == {org.viewer, org.rep_b, org.lead}

    page = admin_client.get(reverse("accounts:team_list")).content.decode()
    row = re.search(rf'data-team-id="{team.pk}">(.*?)</tr>', page, re.S).group(1)
    assert re.search(r'class="num">3<', row)


def test_team_duplicate_name_is_a_field_error(admin_client, org):
    response = admin_client.post(reverse("accounts:team_create"), {"name": "Team A"})
    assert response.status_code == 422
    assert 'data-field-error="name"' in response.content.decode()


# --- roles ------------------------------------------------------------------------------------------------------------
def test_role_form_groups_permissions_and_has_a_scope_per_domain(admin_client, org):
    page = admin_client.get(reverse("accounts:role_create")).content.decode()
    assert 'value="customers.view"' in page
    assert 'value="accounts.manage"' in page
    assert 'name="scope_customers"' in page
    for value in ("own", "team", "department", "all"):
        assert f'<option value="{value}"' in page


def test_role_create_and_edit_round_trip(admin_client, org):
    response = admin_client.post(
        reverse("accounts:role_create"),
        {
            "name": "Support",
            "description": "Service desk",
            "permissions": ["customers.view", "audit.view"],
            "scope_customers": "department",
        },
    )
    assert response.status_code == 302
    role = Role.objects.get(name="Support")
    assert role.permissions == ["audit.view", "customers.view"]
    assert role.data_scopes == {"customers": "department"}

    page = admin_client.get(reverse("accounts:role_edit", args=[role.pk])).content.decode()
    assert re.search(r'value="audit.view"[^>]*checked', page)
    assert re.search(r'<option value="department" selected>', page)

    response = admin_client.post(
        reverse("accounts:role_edit", args=[role.pk]),
        {"name": "Support", "description": "", "permissions": ["customers.view"], "scope_customers": "own"},
    )
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.permissions == ["customers.view"]
    assert role.data_scopes == {"customers": "own"}


def test_role_form_rejects_unknown_values(admin_client, org):
    response = admin_client.post(
        reverse("accounts:role_create"),
        {"name": "Bad", "permissions": ["customers.fly"], "scope_customers": "galaxy"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-field-error="permissions"' in page
    assert 'data-field-error="scope_customers"' in page
    assert not Role.objects.filter(name="Bad").exists()
