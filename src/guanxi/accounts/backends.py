from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend

from guanxi.accounts import scoping


class RolePermissionBackend(BaseBackend):
    """Answers `user.has_perm("customers.export")` from the permissions of the user's roles."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        if user_obj.is_superuser:
            from guanxi.accounts.permissions import PERMISSIONS

            return set(PERMISSIONS)
        return set(scoping.user_permissions(user_obj))

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)
