from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanxi.accounts import services
from guanxi.accounts.models import Department, Role, Team, User
from guanxi.accounts.services import RoleInput, TeamInput, UserInput
from guanxi.audit.models import AuditEntry
from tests.factories import DepartmentFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- departments ------------------------------------------------------------------------------------------------------
def test_department_paths_follow_the_tree(org):
    assert org.hq.path == f"/{org.hq.pk}/"
    assert org.hq.depth == 0
    assert org.sales.path == f"/{org.hq.pk}/{org.sales.pk}/"
    assert org.east.path == f"/{org.hq.pk}/{org.sales.pk}/{org.east.pk}/"
    assert org.east.depth == 2


def test_moving_a_department_recomputes_paths_of_all_descendants(org):
    deep = DepartmentFactory(name="East 1", parent=org.east)
    deeper = DepartmentFactory(name="East 1a", parent=deep)
    services.department_update(actor=org.admin, department=org.sales, name="Sales", parent=org.service)

    for d in (org.hq, org.sales, org.east, org.service, deep, deeper):
        d.refresh_from_db()
    assert org.sales.parent == org.service
    assert org.sales.path == f"/{org.hq.pk}/{org.service.pk}/{org.sales.pk}/"
    assert org.sales.depth == 2
    assert org.east.path == f"{org.sales.path}{org.east.pk}/"
    assert org.east.depth == 3
    assert deep.path == f"{org.east.path}{deep.pk}/"
    assert deep.depth == 4
    assert deeper.path == f"{deep.path}{deeper.pk}/"
    assert deeper.depth == 5
    # Untouched branches keep their paths.
    assert org.service.path == f"/{org.hq.pk}/{org.service.pk}/"
    entry = AuditEntry.objects.get(action="update", object_type="accounts.department", object_id=str(org.sales.pk))
    assert entry.changes == {"parent": [org.hq.pk, org.service.pk]}
    assert entry.actor == org.admin


def test_moving_to_the_top_level_shortens_paths(org):
    services.department_update(actor=org.admin, department=org.sales, name="Sales", parent=None)
    org.east.refresh_from_db()
    assert org.east.path == f"/{org.sales.pk}/{org.east.pk}/"
    assert org.east.depth == 1


@pytest.mark.parametrize("target", ["sales", "east"])
def test_a_department_cannot_move_under_itself_or_below(org, target):
    with pytest.raises(ValidationError) as exc:
        services.department_update(actor=org.admin, department=org.sales, name="Sales", parent=getattr(org, target))
    assert "parent" in exc.value.message_dict
    org.sales.refresh_from_db()
    assert org.sales.parent == org.hq


def test_only_an_empty_department_can_be_deleted(org):
    with pytest.raises(ValidationError):
        services.department_delete(actor=org.admin, department=org.east)  # has users and a team
    assert Department.objects.filter(pk=org.east.pk).exists()
    empty = DepartmentFactory(name="Empty", parent=org.hq)
    pk = empty.pk
    services.department_delete(actor=org.admin, department=empty)
    assert not Department.objects.filter(pk=pk).exists()
    assert AuditEntry.objects.filter(action="delete", object_type="accounts.department", object_id=str(pk)).exists()


def test_department_name_is_unique_per_parent(org):
    with pytest.raises(ValidationError):
        services.department_create(actor=org.admin, name="Sales", parent=org.hq)
    services.department_create(actor=org.admin, name="Sales", parent=org.service)  # another parent is fine


# --- users ------------------------------------------------------------------------------------------------------------
def test_user_save_sets_roles_and_audits_a_diff_without_the_password(org):
    rep, head = Role.objects.get(name="Sales rep"), Role.objects.get(name="Sales head")
    user = services.user_save(
        actor=org.admin,
        data=UserInput(
            username="newbie",
            email="New.Bie@Example.com",
            department=org.east,
            roles=[rep],
            password="a-long-enough-secret-42",
        ),
    )
    user.refresh_from_db()
    assert user.email == "new.bie@example.com"
    assert list(user.roles.all()) == [rep]
    assert user.check_password("a-long-enough-secret-42")
    created = AuditEntry.objects.get(action="create", object_type="accounts.user", object_id=str(user.pk))
    assert created.changes["roles"] == [None, [rep.pk]]
    assert created.changes["password"] == ["***", "***"]
    assert "a-long-enough-secret-42" not in str(created.changes)

    services.user_save(
        actor=org.admin,
        data=UserInput(username="newbie", email="new.bie@example.com", department=org.east, roles=[head]),
        user=user,
    )
    updated = AuditEntry.objects.get(action="update", object_type="accounts.user", object_id=str(user.pk))
    assert updated.changes == {"roles": [[rep.pk], [head.pk]]}
    assert list(User.objects.get(pk=user.pk).roles.all()) == [head]
    assert user.check_password("a-long-enough-secret-42")  # no new password: the old one stays


def test_new_user_without_password_cannot_sign_in(org):
    user = services.user_save(actor=org.admin, data=UserInput(username="nopass"))
    assert not user.has_usable_password()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (UserInput(username="rep_a"), "username"),
        (UserInput(username="REP_A"), "username"),
        (UserInput(username=""), "username"),
        (UserInput(username="someone", email="not-an-email"), "email"),
        (UserInput(username="someone", password="12345678"), "password"),
        (UserInput(username="someone", password="short"), "password"),
        (UserInput(username="someone", timezone="Mars/Olympus"), "timezone"),
    ],
)
def test_bad_user_input_names_the_field_and_writes_nothing(org, data, field):
    before = User.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.user_save(actor=org.admin, data=data)
    assert field in exc.value.message_dict
    assert User.objects.count() == before
    assert not AuditEntry.objects.filter(action="create", object_type="accounts.user").exists()


def test_only_a_superuser_grants_superuser_rights(org, manager):
    with pytest.raises(ValidationError) as exc:
        services.user_save(actor=manager, data=UserInput(username="boss", is_superuser=True))
    assert "is_superuser" in exc.value.message_dict
    boss = services.user_save(actor=org.admin, data=UserInput(username="boss", is_superuser=True))
    assert boss.is_superuser and boss.is_staff


def test_a_manager_cannot_change_a_superuser(org, manager):
    with pytest.raises(PermissionDenied):
        services.user_save(
            actor=manager, data=UserInput(username="admin", password="takeover-pass-123"), user=org.admin
        )
    with pytest.raises(PermissionDenied):
        services.user_set_active(actor=manager, user=org.admin, is_active=False)
    org.admin.refresh_from_db()
    assert org.admin.is_active


def test_without_accounts_manage_nothing_is_written(org):
    with pytest.raises(PermissionDenied):
        services.user_save(actor=org.director, data=UserInput(username="sneaky"))
    with pytest.raises(PermissionDenied):
        services.role_save(actor=org.director, data=RoleInput(name="All powers", permissions=["accounts.manage"]))
    with pytest.raises(PermissionDenied):
        services.department_create(actor=org.director, name="Shadow")
    with pytest.raises(PermissionDenied):
        services.team_save(actor=org.director, data=TeamInput(name="Shadow team"))
    assert not User.objects.filter(username="sneaky").exists()
    assert not Role.objects.filter(name="All powers").exists()


def test_deactivate_and_reactivate_are_audited(org):
    services.user_set_active(actor=org.admin, user=org.rep_a, is_active=False)
    org.rep_a.refresh_from_db()
    assert not org.rep_a.is_active
    services.user_set_active(actor=org.admin, user=org.rep_a, is_active=True)
    org.rep_a.refresh_from_db()
    assert org.rep_a.is_active
    changes = [
        e.changes
        for e in AuditEntry.objects.filter(object_type="accounts.user", object_id=str(org.rep_a.pk)).order_by("id")
    ]
    assert changes == [{"is_active": [True, False]}, {"is_active": [False, True]}]


def test_nobody_deactivates_themselves(org, manager):
    with pytest.raises(ValidationError):
        services.user_set_active(actor=manager, user=manager, is_active=False)
    with pytest.raises(ValidationError) as exc:
        services.user_save(actor=manager, data=UserInput(username="manager", is_active=False), user=manager)
    assert "is_active" in exc.value.message_dict
    manager.refresh_from_db()
    assert manager.is_active


# --- roles and teams --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "field"),
    [
        (RoleInput(name="Bad", permissions=["customers.view", "customers.fly"]), "permissions"),
        (RoleInput(name="Bad", data_scopes={"customers": "galaxy"}), "data_scopes"),
        (RoleInput(name="Bad", data_scopes={"spaceships": "all"}), "data_scopes"),
        (RoleInput(name=""), "name"),
    ],
)
def test_role_save_rejects_unknown_permissions_and_scopes_by_field(org, data, field):
    with pytest.raises(ValidationError) as exc:
        services.role_save(actor=org.admin, data=data)
    assert field in exc.value.message_dict
    assert not Role.objects.filter(name="Bad").exists()


def test_role_save_stores_sorted_permissions_and_audits(org):
    role = services.role_save(
        actor=org.admin,
        data=RoleInput(
            name="Support",
            permissions=["customers.view", "audit.view", "customers.view"],
            data_scopes={"customers": "team"},
        ),
    )
    assert role.permissions == ["audit.view", "customers.view"]
    assert role.scope_for("customers") == "team"
    entry = AuditEntry.objects.get(action="create", object_type="accounts.role", object_id=str(role.pk))
    assert entry.changes["permissions"] == [None, ["audit.view", "customers.view"]]


def test_team_leader_is_always_a_member(org):
    team = services.team_save(actor=org.admin, data=TeamInput(name="Team C", leader=org.rep_b, members=[org.agent]))
    assert set(team.members.all()) == {org.rep_b, org.agent}
    entry = AuditEntry.objects.get(action="create", object_type="accounts.team", object_id=str(team.pk))
    assert entry.changes["members"] == [None, sorted([org.rep_b.pk, org.agent.pk])]


def test_team_names_are_unique(org):
    with pytest.raises(ValidationError) as exc:
        services.team_save(actor=org.admin, data=TeamInput(name="Team A"))
    assert "name" in exc.value.message_dict
    assert Team.objects.filter(name="Team A").count() == 1


def test_system_actor_may_write(db):
    role = RoleFactory(name="Base")
    user = services.user_save(actor=None, data=UserInput(username="seeded", roles=[role], is_superuser=True))
    assert user.is_superuser
    assert UserFactory(username="x").pk
