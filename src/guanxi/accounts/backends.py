from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from guanxi.accounts import scoping
from guanxi.accounts.models import User


class RolePermissionBackend(ModelBackend):
    """Password sign-in as Django's ModelBackend; permissions come only from the user's roles.

    `user.has_perm("customers.export")` is answered from the roles (cached on the user object for the request);
    Django's groups and per-user permission tables are not used.
    """

    def get_user(self, user_id: Any) -> User | None:
        user = User.objects.select_related("department").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        if user_obj.is_superuser:
            from guanxi.accounts.permissions import PERMISSIONS

            return set(PERMISSIONS)
        return set(scoping.user_permissions(user_obj))

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)
