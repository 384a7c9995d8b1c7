"""The one place where records are filtered by the acting user's data scope.

Every customer-owned model registers itself here with the domain whose scope applies and the path to its owner.
Selectors, search, exports, reports, the API and jobs acting for a user all call `scope(user, queryset)`; a record
outside the result does not exist for that user (404).

A role's scope becomes one indexed predicate on the owner column:
own → owner = me; team → owner in my teams' members; department → owner in my department's subtree; all → no filter.
A user with several roles gets the widest scope any of them grants for the domain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from guanxi.accounts.models import SCOPE_RANK, DataScope, Role, User

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class ScopedModel:
    model: type[models.Model]
    domain: str
    owner_field: str
    # Extra visibility beyond ownership (e.g. records in a public pool the user belongs to): returns a Q or None.
    also_visible: Callable[[User], Q | None] | None = None


_REGISTRY: dict[type[models.Model], ScopedModel] = {}


def register(
    model: type[models.Model],
    *,
    domain: str,
    owner_field: str = "owner",
    also_visible: Callable[[User], Q | None] | None = None,
) -> None:
    _REGISTRY[model] = ScopedModel(model=model, domain=domain, owner_field=owner_field, also_visible=also_visible)


def registered_models() -> list[ScopedModel]:
    return list(_REGISTRY.values())


def spec_for(model: type[models.Model]) -> ScopedModel:
    try:
        return _REGISTRY[model]
    except KeyError:
        raise LookupError(f"{model.__name__} is not registered with accounts.scoping") from None


def _roles(user: User) -> list[Role]:
    cached: list[Role] | None = getattr(user, "_guanxi_roles", None)
    if cached is None:
        cached = list(user.roles.all())
        user._guanxi_roles = cached  # type: ignore[attr-defined]
    return cached


def forget(user: User) -> None:
    """Drop the per-request cache of roles and permissions (after a change to the user's roles)."""
    for attr in ("_guanxi_roles", "_guanxi_perms", "_guanxi_pool_ids", "_guanxi_dept_path"):
        if hasattr(user, attr):
            delattr(user, attr)


def user_permissions(user: User) -> frozenset[str]:
    cached: frozenset[str] | None = getattr(user, "_guanxi_perms", None)
    if cached is None:
        cached = frozenset(code for role in _roles(user) for code in role.permissions)
        user._guanxi_perms = cached  # type: ignore[attr-defined]
    return cached


def user_scope(user: Any, domain: str) -> str:
    """The widest data scope any of the user's roles grants for `domain` (none at all for anonymous/inactive users)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ""
    if user.is_superuser:
        return DataScope.ALL
    best = DataScope.OWN
    for role in _roles(user):
        candidate = DataScope(role.scope_for(domain))
        if SCOPE_RANK[candidate] > SCOPE_RANK[best]:
            best = candidate
    return str(best)


def owners_in_scope(user: User, scope_value: str) -> QuerySet[User] | None:
    """The users whose records `scope_value` lets `user` see; None means everyone (and unowned records too)."""
    if scope_value == DataScope.ALL:
        return None
    if scope_value == DataScope.TEAM:
        return User.objects.filter(Q(teams__members=user) | Q(pk=user.pk)).distinct()
    if scope_value == DataScope.DEPARTMENT and user.department_id:
        return User.objects.filter(Q(department__path__startswith=_department_path(user)) | Q(pk=user.pk))
    return User.objects.filter(pk=user.pk)


def assignable_owners(user: Any, domain: str) -> QuerySet[User]:
    """Active users to whom `user` may hand a record of `domain`: the owners inside their scope."""
    owners = owners_in_scope(user, user_scope(user, domain))
    return (owners if owners is not None else User.objects.all()).filter(is_active=True)


def owner_predicate(user: User, scope_value: str, owner_field: str) -> Q | None:
    """The Q for records whose owner is inside `scope_value` for `user`; None means no restriction."""
    owner_id = f"{owner_field}_id" if "__" not in owner_field else f"{owner_field}__id"
    if scope_value == DataScope.ALL:
        return None
    if scope_value == DataScope.OWN or (scope_value == DataScope.DEPARTMENT and not user.department_id):
        return Q(**{owner_id: user.pk})
    owners = owners_in_scope(user, scope_value)
    assert owners is not None
    return Q(**{f"{owner_id}__in": owners.values("id")})


def _department_path(user: User) -> str:
    path: str | None = getattr(user, "_guanxi_dept_path", None)
    if path is None:
        path = user.department.path if user.department_id and user.department else ""
        user._guanxi_dept_path = path  # type: ignore[attr-defined]
    return path


def scope(user: Any, queryset: QuerySet[M], *, domain: str | None = None) -> QuerySet[M]:
    """Restrict `queryset` to the records `user` may see."""
    spec = spec_for(queryset.model)
    scope_value = user_scope(user, domain or spec.domain)
    if not scope_value:
        return queryset.none()
    predicate = owner_predicate(user, scope_value, spec.owner_field)
    if predicate is None:
        return queryset
    if spec.also_visible is not None:
        also = spec.also_visible(user)
        if also is not None:
            predicate |= also
    return queryset.filter(predicate)


def get_scoped_or_404(user: Any, queryset: QuerySet[M], **lookup: Any) -> M:
    try:
        return scope(user, queryset).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        raise Http404 from None


def is_in_scope(user: Any, obj: models.Model) -> bool:
    return scope(user, type(obj)._default_manager.all()).filter(pk=obj.pk).exists()
