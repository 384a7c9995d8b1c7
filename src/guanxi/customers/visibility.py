"""Who sees customers that have no owner: members and admins of the public pool they are in.

Registered with `accounts.scoping` as the extra visibility of customers, so every selector, search, export and API
call shows pool customers to pool members without knowing about pools.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, QuerySet, Value

from guanxi.customers.models import Pool


def pools_of(user: Any) -> QuerySet[Pool]:
    """The pools `user` belongs to: as a member, an admin, or through a member department (or one above theirs)."""
    predicate = Q(members=user) | Q(admins=user)
    department = getattr(user, "department", None) if getattr(user, "department_id", None) else None
    if department is not None:
        # A pool that names a department includes its sub-departments: my path starts with that department's path.
        in_department = Pool.objects.alias(my_path=Value(department.path)).filter(
            my_path__startswith=F("member_departments__path")
        )
        predicate |= Q(pk__in=in_department.values("pk"))
    return Pool.objects.filter(predicate).distinct()


def pool_customers_visible_to(user: Any) -> Q:
    """Pool customers of the user's pools. The pool ids are read once per request (cached on the user object), so
    the planner sees a short constant list and users in no pool get no extra predicate at all."""
    ids: list[int] | None = getattr(user, "_guanxi_pool_ids", None)
    if ids is None:
        ids = list(pools_of(user).values_list("pk", flat=True))
        user._guanxi_pool_ids = ids
    if not ids:
        return Q(pk__in=[])
    return Q(owner__isnull=True, pool__in=ids)
