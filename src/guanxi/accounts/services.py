"""Writes to the organisation: departments, teams, roles, users and API tokens. Each is atomic and audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts import scoping
from guanxi.accounts.models import ApiToken, Department, Role, Team, User
from guanxi.audit.models import AuditEntry
from guanxi.audit.services import audit_record, diff, snapshot


# --- departments --------------------------------------------------------------------------------------------------------
def _path_for(department: Department) -> tuple[str, int]:
    if department.parent is None:
        return f"/{department.pk}/", 0
    return f"{department.parent.path}{department.pk}/", department.parent.depth + 1


@transaction.atomic
def department_create(*, actor: Any, name: str, parent: Department | None = None) -> Department:
    department = Department(name=name.strip(), parent=parent)
    department.full_clean(exclude=["path", "depth"])
    department.save()
    department.path, department.depth = _path_for(department)
    department.save(update_fields=["path", "depth"])
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=department,
                 changes={"name": [None, department.name], "parent": [None, parent.pk if parent else None]})
    return department


@transaction.atomic
def department_update(*, actor: Any, department: Department, name: str, parent: Department | None) -> Department:
    department = Department.objects.select_for_update().get(pk=department.pk)
    before = snapshot(department, ["name", "parent"])
    if parent is not None and (parent.pk == department.pk or parent.path.startswith(department.path)):
        raise ValidationError({"parent": _("A department cannot be moved under itself or one of its sub-departments.")})
    old_path = department.path
    department.name = name.strip()
    department.parent = parent
    department.full_clean(exclude=["path", "depth"])
    department.path, department.depth = _path_for(department)
    department.save()
    if old_path != department.path:
        # Re-root the whole subtree in one pass, shallowest first, so every child sees its parent's new path.
        for child in Department.objects.filter(path__startswith=old_path).exclude(pk=department.pk).order_by("depth"):
            child.parent = Department.objects.get(pk=child.parent_id)
            child.path, child.depth = _path_for(child)
            child.save(update_fields=["path", "depth"])
    changes = diff(before, snapshot(department, ["name", "parent"]))
    if changes:
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=department, changes=changes)
    return department


@transaction.atomic
def department_delete(*, actor: Any, department: Department) -> None:
    if department.children.exists() or department.users.exists() or department.teams.exists():
        raise ValidationError(_("Only an empty department (no sub-departments, users or teams) can be deleted."))
    audit_record(actor=actor, action=AuditEntry.Action.DELETE, obj=department)
    department.delete()


# --- teams --------------------------------------------------------------------------------------------------------------
@dataclass
class TeamInput:
    name: str
    department: Department | None = None
    leader: User | None = None
    members: list[User] = field(default_factory=list)


@transaction.atomic
def team_save(*, actor: Any, data: TeamInput, team: Team | None = None) -> Team:
    creating = team is None
    team = team or Team()
    before = {} if creating else {**snapshot(team, ["name", "department", "leader"]),
                                  "members": sorted(team.members.values_list("pk", flat=True))}
    team.name = data.name.strip()
    team.department = data.department
    team.leader = data.leader
    team.full_clean()
    team.save()
    members = {m.pk for m in data.members}
    if data.leader is not None:
        members.add(data.leader.pk)
    team.members.set(members)
    after = {**snapshot(team, ["name", "department", "leader"]), "members": sorted(members)}
    changes = diff(before, after)
    if changes:
        audit_record(actor=actor, action=AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE,
                     obj=team, changes=changes)
    return team


# --- roles --------------------------------------------------------------------------------------------------------------
@dataclass
class RoleInput:
    name: str
    description: str = ""
    permissions: list[str] = field(default_factory=list)
    data_scopes: dict[str, str] = field(default_factory=dict)


@transaction.atomic
def role_save(*, actor: Any, data: RoleInput, role: Role | None = None) -> Role:
    creating = role is None
    role = role or Role()
    fields = ["name", "description", "permissions", "data_scopes"]
    before = {} if creating else snapshot(role, fields)
    role.name = data.name.strip()
    role.description = data.description.strip()
    role.permissions = sorted(set(data.permissions))
    role.data_scopes = dict(sorted(data.data_scopes.items()))
    role.full_clean()
    role.save()
    changes = diff(before, snapshot(role, fields))
    if changes:
        audit_record(actor=actor, action=AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE,
                     obj=role, changes=changes)
    return role


# --- users --------------------------------------------------------------------------------------------------------------
USER_FIELDS = ["username", "display_name", "email", "phone", "department", "language", "timezone", "is_active",
               "is_superuser"]


@dataclass
class UserInput:
    username: str
    display_name: str = ""
    email: str = ""
    phone: str = ""
    department: Department | None = None
    roles: list[Role] = field(default_factory=list)
    language: str = "zh-hans"
    timezone: str = "Asia/Shanghai"
    is_active: bool = True
    is_superuser: bool = False
    password: str | None = None


@transaction.atomic
def user_save(*, actor: Any, data: UserInput, user: User | None = None) -> User:
    creating = user is None
    user = user or User()
    before = {} if creating else {**snapshot(user, USER_FIELDS),
                                  "roles": sorted(user.roles.values_list("pk", flat=True))}
    user.username = data.username.strip()
    user.display_name = data.display_name.strip()
    user.email = data.email.strip().lower()
    user.phone = data.phone.strip()
    user.department = data.department
    user.language = data.language
    user.timezone = data.timezone
    user.is_active = data.is_active
    user.is_superuser = data.is_superuser
    user.is_staff = data.is_superuser
    if data.password:
        validate_password(data.password, user)
        user.set_password(data.password)
    elif creating:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user.roles.set(data.roles)
    scoping.forget(user)
    after = {**snapshot(user, USER_FIELDS), "roles": sorted(r.pk for r in data.roles)}
    changes = diff(before, after)
    if data.password:
        changes["password"] = ["***", "***"]
    if changes:
        audit_record(actor=actor, action=AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE,
                     obj=user, changes=changes)
    return user


@transaction.atomic
def user_set_preferences(*, actor: User, language: str, timezone_name: str) -> User:
    before = snapshot(actor, ["language", "timezone"])
    actor.language = language
    actor.timezone = timezone_name
    actor.full_clean(exclude=["password"])
    actor.save(update_fields=["language", "timezone"])
    changes = diff(before, snapshot(actor, ["language", "timezone"]))
    if changes:
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=actor, changes=changes)
    return actor


# --- API tokens ---------------------------------------------------------------------------------------------------------
@transaction.atomic
def api_token_create(
    *, actor: User, name: str, scopes: list[str], expires_at: Any = None
) -> tuple[ApiToken, str]:
    """Create a token for `actor`; returns it with the raw secret, which is never stored and shown only once."""
    if not name.strip():
        raise ValidationError({"name": _("Give the token a name so you can recognise it later.")})
    valid = set(ApiToken.Scope.values)
    if not scopes or any(s not in valid for s in scopes):
        raise ValidationError({"scopes": _("Choose at least one of: read, write.")})
    raw = ApiToken.generate()
    token = ApiToken(user=actor, name=name.strip(), prefix=raw[:10], digest=ApiToken.hash(raw),
                     scopes=sorted(set(scopes)), expires_at=expires_at)
    token.full_clean()
    token.save()
    audit_record(actor=actor, action=AuditEntry.Action.TOKEN, obj=token, detail="created",
                 changes={"scopes": [None, token.scopes]})
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    if updated:
        audit_record(actor=actor, action=AuditEntry.Action.TOKEN, obj=token, detail="revoked")
    return token


def api_token_authenticate(raw: str) -> ApiToken | None:
    if not raw.startswith("gx_"):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=ApiToken.hash(raw)).first()
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
