"""Reads of the organisation for the admin screens and the profile page.

Users, departments, teams and roles are not customer-owned records, so they are not filtered by a data scope: the
admin screens are all-or-nothing behind the `accounts.manage` permission, checked here as well as in the views.
Personal API tokens and two-factor devices are always read for their owner only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django_otp.plugins.otp_totp.models import TOTPDevice

from guanxi.accounts.models import ApiToken, Department, Notification, Role, Team, User

MANAGE_PERMISSION = "accounts.manage"


def _require_manage(actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(MANAGE_PERMISSION):
        raise PermissionDenied


def _get_or_404(queryset: QuerySet[Any], pk: Any) -> Any:
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- users ------------------------------------------------------------------------------------------------------------
@dataclass
class UserFilter:
    """The filters of the user list, built from the query string."""

    q: str = ""
    department: int | None = None
    role: int | None = None
    active: str = ""  # "", "yes" or "no"


def user_list(*, actor: Any, filters: UserFilter | None = None) -> QuerySet[User]:
    _require_manage(actor)
    filters = filters or UserFilter()
    qs = User.objects.select_related("department").prefetch_related("roles")
    q = filters.q.strip()
    if q:
        qs = qs.filter(
            Q(username__icontains=q)
            | Q(display_name__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
            | Q(email__icontains=q)
        )
    if filters.department:
        department = Department.objects.filter(pk=filters.department).only("path").first()
        qs = qs.filter(department__path__startswith=department.path) if department else qs.none()
    if filters.role:
        qs = qs.filter(roles__pk=filters.role)
    if filters.active == "yes":
        qs = qs.filter(is_active=True)
    elif filters.active == "no":
        qs = qs.filter(is_active=False)
    return qs.order_by("username", "pk")


def user_get(*, actor: Any, pk: Any) -> User:
    _require_manage(actor)
    user: User = _get_or_404(User.objects.select_related("department").prefetch_related("roles"), pk)
    return user


# --- departments ------------------------------------------------------------------------------------------------------
def department_tree(*, actor: Any) -> list[Department]:
    """Every department in tree order (each parent followed by its sub-departments, siblings by name).

    Each carries `depth` from its materialised path and the counts `user_count`, `team_count`, `child_count`.
    """
    _require_manage(actor)
    rows = list(
        Department.objects.annotate(
            user_count=Count("users", distinct=True),
            team_count=Count("teams", distinct=True),
            child_count=Count("children", distinct=True),
        ).order_by("path")
    )
    children: dict[int | None, list[Department]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    ordered: list[Department] = []

    def walk(parent_id: int | None) -> None:
        for row in sorted(children.get(parent_id, []), key=lambda d: (d.name.casefold(), d.pk)):
            ordered.append(row)
            walk(row.pk)

    walk(None)
    return ordered


def department_choices(*, actor: Any, exclude: Department | None = None) -> list[tuple[int, str]]:
    """(pk, indented name) for parent and department pickers; `exclude` drops a department and its subtree."""
    out = []
    for department in department_tree(actor=actor):
        if exclude is not None and department.path.startswith(exclude.path):
            continue
        out.append((department.pk, "\u2003" * department.depth + department.name))
    return out


def department_get(*, actor: Any, pk: Any) -> Department:
    _require_manage(actor)
    department: Department = _get_or_404(Department.objects.select_related("parent"), pk)
    return department


# --- teams ------------------------------------------------------------------------------------------------------------
def team_list(*, actor: Any, q: str = "") -> QuerySet[Team]:
    _require_manage(actor)
    qs = Team.objects.select_related("department", "leader").annotate(member_count=Count("members"))
    if q.strip():
        qs = qs.filter(name__icontains=q.strip())
    return qs.order_by("name", "pk")


def team_get(*, actor: Any, pk: Any) -> Team:
    _require_manage(actor)
    team: Team = _get_or_404(Team.objects.select_related("department", "leader").prefetch_related("members"), pk)
    return team


# --- roles ------------------------------------------------------------------------------------------------------------
def role_list(*, actor: Any) -> QuerySet[Role]:
    _require_manage(actor)
    return Role.objects.annotate(user_count=Count("users")).order_by("name", "pk")


def role_get(*, actor: Any, pk: Any) -> Role:
    _require_manage(actor)
    role: Role = _get_or_404(Role.objects.all(), pk)
    return role


def active_users(*, actor: Any) -> QuerySet[User]:
    """People who can be made team leaders or members."""
    _require_manage(actor)
    return User.objects.filter(is_active=True).order_by("username")


# --- the user's own security settings ---------------------------------------------------------------------------------
def api_tokens_of(*, actor: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user_id=actor.pk).order_by("-created_at", "-pk")


def api_token_get(*, actor: Any, pk: Any) -> ApiToken:
    """One of the actor's own tokens; anyone else's does not exist for them (404)."""
    token: ApiToken = _get_or_404(api_tokens_of(actor=actor), pk)
    return token


def totp_confirmed(*, actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and (
        TOTPDevice.objects.devices_for_user(actor, confirmed=True).exists()
    )


def totp_pending(*, actor: Any) -> TOTPDevice | None:
    """The authenticator being set up (not yet confirmed with a code), if any."""
    device: TOTPDevice | None = (
        TOTPDevice.objects.devices_for_user(actor, confirmed=False).select_related("user").order_by("-pk").first()
    )
    return device


def notifications_of(*, actor: Any, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(user=actor)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_notification_count(*, actor: Any) -> int:
    return Notification.objects.filter(user=actor, read_at__isnull=True).count()
