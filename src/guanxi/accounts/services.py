"""Writes to the organisation: departments, teams, roles, users, API tokens and two-factor devices.

Each is atomic and audited. Administrative writes need the `accounts.manage` permission; `actor=None` stands for the
system itself (fixtures, management commands) and is always allowed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from guanxi.accounts import scoping
from guanxi.accounts.models import ApiToken, Department, Notification, Role, Team, User
from guanxi.audit.models import AuditEntry
from guanxi.audit.services import audit_record, diff, snapshot

MANAGE_PERMISSION = "accounts.manage"


def _require_manage(actor: Any) -> None:
    """Administrative writes need `accounts.manage`; `None` is the system (fixtures, commands) and may do anything."""
    if actor is None:
        return
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(MANAGE_PERMISSION):
        raise PermissionDenied(_("Your role does not allow managing the organisation."))


def _is_privileged(actor: Any) -> bool:
    return actor is None or bool(getattr(actor, "is_superuser", False))


# --- departments ------------------------------------------------------------------------------------------------------
def _path_for(department: Department) -> tuple[str, int]:
    if department.parent is None:
        return f"/{department.pk}/", 0
    return f"{department.parent.path}{department.pk}/", department.parent.depth + 1


@transaction.atomic
def department_create(*, actor: Any, name: str, parent: Department | None = None) -> Department:
    _require_manage(actor)
    department = Department(name=name.strip(), parent=parent)
    department.full_clean(exclude=["path", "depth"])
    department.save()
    department.path, department.depth = _path_for(department)
    department.save(update_fields=["path", "depth"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=department,
        changes={"name": [None, department.name], "parent": [None, parent.pk if parent else None]},
    )
    return department


@transaction.atomic
def department_update(*, actor: Any, department: Department, name: str, parent: Department | None) -> Department:
    """Rename and/or move a department; a move re-roots the paths of the whole subtree in one UPDATE."""
    _require_manage(actor)
    department = Department.objects.select_for_update().get(pk=department.pk)
    if parent is not None:
        parent = Department.objects.get(pk=parent.pk)  # the path as stored now, not as the caller last saw it
    before = snapshot(department, ["name", "parent"])
    if parent is not None and (parent.pk == department.pk or parent.path.startswith(department.path)):
        raise ValidationError({"parent": _("A department cannot be moved under itself or one of its sub-departments.")})
    old_path, old_depth = department.path, department.depth
    department.name = name.strip()
    department.parent = parent
    department.full_clean(exclude=["path", "depth"])
    department.path, department.depth = _path_for(department)
    department.save()
    if old_path != department.path:
        # Every descendant keeps the part of its path below this department: swap the prefix, shift the depth.
        Department.objects.filter(path__startswith=old_path).exclude(pk=department.pk).update(
            path=Concat(Value(department.path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + (department.depth - old_depth),
        )
    changes = diff(before, snapshot(department, ["name", "parent"]))
    if changes:
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=department, changes=changes)
    return department


@transaction.atomic
def department_delete(*, actor: Any, department: Department) -> None:
    _require_manage(actor)
    if department.children.exists() or department.users.exists() or department.teams.exists():
        raise ValidationError(_("Only an empty department (no sub-departments, users or teams) can be deleted."))
    audit_record(actor=actor, action=AuditEntry.Action.DELETE, obj=department)
    department.delete()


# --- teams ------------------------------------------------------------------------------------------------------------
@dataclass
class TeamInput:
    name: str
    department: Department | None = None
    leader: User | None = None
    members: list[User] = field(default_factory=list)


@transaction.atomic
def team_save(*, actor: Any, data: TeamInput, team: Team | None = None) -> Team:
    _require_manage(actor)
    creating = team is None
    team = team or Team()
    before = (
        {}
        if creating
        else {
            **snapshot(team, ["name", "department", "leader"]),
            "members": sorted(team.members.values_list("pk", flat=True)),
        }
    )
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
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE,
            obj=team,
            changes=changes,
        )
    return team


# --- roles ------------------------------------------------------------------------------------------------------------
@dataclass
class RoleInput:
    name: str
    description: str = ""
    permissions: list[str] = field(default_factory=list)
    data_scopes: dict[str, str] = field(default_factory=dict)


@transaction.atomic
def role_save(*, actor: Any, data: RoleInput, role: Role | None = None) -> Role:
    _require_manage(actor)
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
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE,
            obj=role,
            changes=changes,
        )
    return role


# --- users ------------------------------------------------------------------------------------------------------------
USER_FIELDS = [
    "username",
    "display_name",
    "email",
    "phone",
    "department",
    "language",
    "timezone",
    "is_active",
    "is_superuser",
]


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


def _check_user_access(actor: Any, user: User | None) -> None:
    _require_manage(actor)
    if user is not None and user.pk is not None and user.is_superuser and not _is_privileged(actor):
        raise PermissionDenied(_("Only a superuser can change a superuser's account."))


@transaction.atomic
def user_save(*, actor: Any, data: UserInput, user: User | None = None) -> User:
    """Create or update an account. Only a superuser may grant or remove superuser rights."""
    _check_user_access(actor, user)
    creating = user is None
    user = user or User()
    before = (
        {} if creating else {**snapshot(user, USER_FIELDS), "roles": sorted(user.roles.values_list("pk", flat=True))}
    )
    errors: dict[str, list[str]] = {}
    if data.is_superuser != user.is_superuser and not _is_privileged(actor):
        errors.setdefault("is_superuser", []).append(_("Only a superuser can grant or remove superuser rights."))
    if not creating and actor is not None and user.pk == actor.pk and not data.is_active:
        errors.setdefault("is_active", []).append(_("You cannot deactivate your own account."))
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
    if user.username and User.objects.filter(username__iexact=user.username).exclude(pk=user.pk).exists():
        errors.setdefault("username", []).append(_("A user with that username already exists."))
    if data.password:
        try:
            validate_password(data.password, user)
        except ValidationError as exc:
            errors.setdefault("password", []).extend(exc.messages)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            known = errors.setdefault(name, [])
            known.extend(m for m in messages if m not in known)
    if errors:
        raise ValidationError(errors)
    if data.password:
        user.set_password(data.password)
    elif creating:
        user.set_unusable_password()
    user.save()
    user.roles.set(data.roles)
    scoping.forget(user)
    after = {**snapshot(user, USER_FIELDS), "roles": sorted(r.pk for r in data.roles)}
    changes = diff(before, after)
    if data.password:
        changes["password"] = ["***", "***"]
    if changes:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE,
            obj=user,
            changes=changes,
        )
    return user


@transaction.atomic
def user_set_active(*, actor: Any, user: User, is_active: bool) -> User:
    """Deactivate or reactivate an account. Accounts are never deleted: the audit log and records point at them."""
    _check_user_access(actor, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if not is_active and actor is not None and user.pk == actor.pk:
        raise ValidationError({"is_active": _("You cannot deactivate your own account.")})
    if user.is_active == is_active:
        return user
    user.is_active = is_active
    user.save(update_fields=["is_active"])
    audit_record(
        actor=actor, action=AuditEntry.Action.UPDATE, obj=user, changes={"is_active": [not is_active, is_active]}
    )
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


# --- two-factor authentication (TOTP) ---------------------------------------------------------------------------------
TOTP_DEVICE_NAME = "Authenticator app"


def _totp_devices(user: User, *, confirmed: bool) -> Any:
    return TOTPDevice.objects.devices_for_user(user, confirmed=confirmed)


@transaction.atomic
def totp_start(*, actor: User) -> TOTPDevice:
    """Begin setting up an authenticator app: a fresh unconfirmed device (any earlier unconfirmed one is replaced)."""
    if _totp_devices(actor, confirmed=True).exists():
        raise ValidationError(_("Two-factor authentication is already on."))
    _totp_devices(actor, confirmed=False).delete()
    device = TOTPDevice(user=actor, name=TOTP_DEVICE_NAME, confirmed=False)
    device.full_clean()
    device.save()
    return device


def totp_confirm(*, actor: User, token: str) -> TOTPDevice:
    """Turn two-factor authentication on once the user proves the app works with a current code."""
    with transaction.atomic():
        device = _totp_devices(actor, confirmed=False).select_for_update().order_by("-pk").first()
        if device is None:
            raise ValidationError({"token": _("Start the set-up again: there is no authenticator waiting for a code.")})
        # A wrong code raises only after this block commits, so the device's failure throttle is kept.
        refusal = _refusal([device])
        verified = device.verify_token(_digits(token))
        if verified:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            audit_record(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                obj=actor,
                detail="two-factor on",
                changes={"otp": [False, True]},
            )
    if not verified:
        raise ValidationError({"token": refusal})
    return device


def totp_disable(*, actor: User, token: str) -> None:
    """Turn two-factor authentication off; a current code is required so a borrowed session cannot do it."""
    with transaction.atomic():
        devices = list(_totp_devices(actor, confirmed=True).select_for_update())
        if not devices:
            raise ValidationError({"token": _("Two-factor authentication is not on.")})
        refusal = _refusal(devices)
        verified = any(device.verify_token(_digits(token)) for device in devices)
        if verified:
            TOTPDevice.objects.filter(user=actor).delete()
            audit_record(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                obj=actor,
                detail="two-factor off",
                changes={"otp": [True, False]},
            )
    if not verified:
        raise ValidationError({"token": refusal})


def totp_verify(*, actor: User, token: str) -> TOTPDevice:
    """Check a sign-in code against the user's confirmed devices; a wrong code is logged as a failed login."""
    with transaction.atomic():
        accepted = None
        devices = list(_totp_devices(actor, confirmed=True).select_for_update())
        refusal = _refusal(devices)
        for device in devices:
            if device.verify_token(_digits(token)):
                accepted = device
                break
        if accepted is None:
            audit_record(actor=actor, action=AuditEntry.Action.LOGIN_FAILED, obj=actor, detail="two-factor code")
    if accepted is None:
        raise ValidationError({"token": refusal})
    return accepted


def _refusal(devices: list[TOTPDevice]) -> str:
    """What to say if the code is refused: wrong, or (after wrong codes, which slow verification down) too soon."""
    waits = []
    for device in devices:
        allowed, data = device.verify_is_allowed()
        if allowed:
            break
        locked_until = (data or {}).get("locked_until")
        if locked_until is not None:
            waits.append(max(1, int((locked_until - timezone.now()).total_seconds()) + 1))
    else:
        if waits:
            return _("Too many wrong codes. Wait %(seconds)s seconds, then enter the code your app shows.") % {
                "seconds": min(waits)
            }
    return _("This code is not correct. Enter the 6-digit code your app shows now.")


def _digits(token: str) -> str:
    return "".join((token or "").split())


# --- API tokens -------------------------------------------------------------------------------------------------------
@transaction.atomic
def api_token_create(*, actor: User, name: str, scopes: list[str], expires_at: Any = None) -> tuple[ApiToken, str]:
    """Create a token for `actor`; returns it with the raw secret, which is never stored and shown only once."""
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Give the token a name so you can recognise it later.")
    valid = set(ApiToken.Scope.values)
    if not scopes or any(s not in valid for s in scopes):
        errors["scopes"] = _("Choose at least one of: read, write.")
    if isinstance(expires_at, dt.datetime) and expires_at <= timezone.now():
        errors["expires_at"] = _("Choose an expiry date in the future, or leave it empty.")
    if errors:
        raise ValidationError(errors)
    raw = ApiToken.generate()
    token = ApiToken(
        user=actor,
        name=name.strip(),
        prefix=raw[:10],
        digest=ApiToken.hash(raw),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
    )
    token.full_clean()
    token.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.TOKEN,
        obj=token,
        detail="created",
        changes={"scopes": [None, token.scopes]},
    )
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


# --- sessions ---------------------------------------------------------------------------------------------------------
def sessions_purge_expired() -> int:
    """Delete expired login sessions, as `django-admin clearsessions` does; returns how many were removed."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    expired = 0
    if hasattr(store, "get_model_class"):  # database-backed sessions: count what is about to go
        expired = store.get_model_class().objects.filter(expire_date__lt=timezone.now()).count()
    store.clear_expired()
    return int(expired)


# --- notifications ----------------------------------------------------------------------------------------------------
def notify(*, user: User, title: str, body: str = "", url: str = "", kind: str = "") -> Notification:
    """An in-app notification for `user` (title and body already in the user's language)."""
    return Notification.objects.create(user=user, title=title[:200], body=body, url=url[:500], kind=kind[:40])


def notifications_mark_read(*, actor: User, ids: list[int] | None = None) -> int:
    """Mark the actor's notifications read (all unread ones when `ids` is None); returns how many changed."""
    unread = Notification.objects.filter(user=actor, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
